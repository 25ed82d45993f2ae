import type { Action, EnuFrame, PoseEstimate, Target, VelocityAction } from '../../../runtime/index.js';
import { approachScale, norm, PathSampler, scaleVelocity, type ApproachOptions } from '../motion.js';
import { ALLOW, deny, modify, type GuardRule, type GuardState, type RuleResult } from '../rule.js';
import { gotoTargetLocal, poseUsable } from '../zones.js';
import { DEFAULT_APPROACH } from './geofence.js';

export interface StandoffSpec {
  /** Target class from the world model, e.g. `person`. */
  readonly className: string;
  /** Inside this horizontal distance the robot may not approach, m. */
  readonly stopM: number;
  /** Inside this distance approaching speed scales down linearly to 0 at stopM, m. */
  readonly slowM?: number;
  /** No payload release within this distance, m. Default stopM. */
  readonly noPayloadM?: number;
}

export interface StandoffOptions extends Partial<ApproachOptions> {
  readonly specs: readonly StandoffSpec[];
  readonly horizonS: number;
  /** Shared with the other path rules so a path is sampled once per decision. */
  readonly sampler?: PathSampler;
  readonly frame?: EnuFrame;
}

/**
 * Standoff distances per target class, measured horizontally: a drone 40 m
 * above a person is 0 m from them for a water drop, so height buys nothing.
 *
 * - Payload release within `noPayloadM` of a target: denied (`standoff.payload`).
 * - Inside `stopM`: any command that closes on the target is denied
 *   (`standoff.stop`); moving away is allowed.
 * - A path that would enter `stopM` within the horizon is slowed to stop
 *   short of it, or denied when that leaves almost nothing (`standoff.stop`).
 * - Inside `slowM`, closing speed scales linearly from 1 at slowM to 0 at stopM
 *   (`standoff.slow`).
 * - A goto whose target or straight path comes within `stopM` is denied.
 *
 * A target with a non-finite position denies motion: the world model is
 * broken, and "no idea where the person is" is no licence to move.
 */
export function standoffRule(options: StandoffOptions): GuardRule {
  const specs = new Map<string, StandoffSpec>();
  for (const s of options.specs) specs.set(s.className, s);
  const approach: ApproachOptions = { ...DEFAULT_APPROACH, ...options, horizonS: options.horizonS };
  const sampler = options.sampler ?? new PathSampler();

  function velocity(action: VelocityAction, pose: PoseEstimate, targets: readonly Target[]): RuleResult {
    const x = pose.positionM.x;
    const y = pose.positionM.y;
    if (action.linearMps.x === 0 && action.linearMps.y === 0) return ALLOW;
    const c = Math.cos(pose.yawRad);
    const s = Math.sin(pose.yawRad);
    const ve = c * action.linearMps.x - s * action.linearMps.y;
    const vn = s * action.linearMps.x + c * action.linearMps.y;
    const n = sampler.sample(pose, action, approach.horizonS);
    let scale = 1;
    let why:
      { target: Target; spec: StandoffSpec; distanceM: number; code: 'standoff.slow' | 'standoff.stop' } | undefined;
    for (const t of targets) {
      const spec = specs.get(t.className);
      if (spec === undefined) continue;
      const tx = t.positionM.x;
      const ty = t.positionM.y;
      const dx = tx - x;
      const dy = ty - y;
      const d = norm(dx, dy);
      const closing = ve * dx + vn * dy > 0;
      if (d <= spec.stopM) {
        if (!closing) continue;
        return deny(
          'standoff.stop',
          `${t.className} ${t.id} is ${d.toFixed(1)} m away, inside the ${spec.stopM} m stop zone`,
          {
            target: t.id,
            className: t.className,
            distanceM: d,
            stopM: spec.stopM,
          },
        );
      }
      // A target farther than the path is long cannot be reached within the horizon.
      const f =
        d - sampler.lengthM > spec.stopM
          ? Infinity
          : pathEntryFractionCircle(sampler.xs, sampler.ys, n, tx, ty, spec.stopM);
      const approachS = approachScale(f, sampler.lengthM, approach);
      if (approachS !== undefined && approachS < scale) {
        scale = approachS;
        why = { target: t, spec, distanceM: d, code: approachS === 0 ? 'standoff.stop' : 'standoff.slow' };
      }
      if (closing && spec.slowM !== undefined && d < spec.slowM && spec.slowM > spec.stopM) {
        const slowS = (d - spec.stopM) / (spec.slowM - spec.stopM);
        if (slowS < scale) {
          scale = slowS;
          why = { target: t, spec, distanceM: d, code: 'standoff.slow' };
        }
      }
    }
    if (why === undefined) return ALLOW;
    const evidence = {
      target: why.target.id,
      className: why.target.className,
      distanceM: why.distanceM,
      stopM: why.spec.stopM,
      slowM: why.spec.slowM ?? null,
      scale,
    };
    if (why.code === 'standoff.stop') {
      return deny(
        'standoff.stop',
        `would come within ${why.spec.stopM} m of ${why.target.className} ${why.target.id} almost at once`,
        evidence,
      );
    }
    return modify(
      scaleVelocity(action, scale),
      'standoff.slow',
      `${why.target.className} ${why.target.id} at ${why.distanceM.toFixed(1)} m; slowed to ${Math.round(scale * 100)} %`,
      evidence,
    );
  }

  function goto(action: Extract<Action, { kind: 'goto' }>, pose: PoseEstimate, targets: readonly Target[]): RuleResult {
    const goal = gotoTargetLocal(action.target, options.frame);
    if (goal === undefined) {
      return deny('standoff.no_origin', 'a geographic goto needs the mission origin to check standoffs', {
        target: action.target,
      });
    }
    const x = pose.positionM.x;
    const y = pose.positionM.y;
    for (const t of targets) {
      const spec = specs.get(t.className);
      if (spec === undefined) continue;
      const d = Math.sqrt(segmentPointDistanceSq(x, y, goal.x, goal.y, t.positionM.x, t.positionM.y));
      if (d > spec.stopM) continue;
      const atGoal = norm(goal.x - t.positionM.x, goal.y - t.positionM.y) <= spec.stopM;
      return deny(
        atGoal ? 'standoff.goto_target' : 'standoff.path',
        atGoal
          ? `goto target is within ${spec.stopM} m of ${t.className} ${t.id}`
          : `the straight path to the goto target passes ${d.toFixed(1)} m from ${t.className} ${t.id}`,
        { target: t.id, className: t.className, distanceM: d, stopM: spec.stopM },
      );
    }
    return ALLOW;
  }

  function payload(pose: PoseEstimate, targets: readonly Target[]): RuleResult {
    for (const t of targets) {
      const spec = specs.get(t.className);
      if (spec === undefined) continue;
      const limitM = spec.noPayloadM ?? spec.stopM;
      const d = norm(t.positionM.x - pose.positionM.x, t.positionM.y - pose.positionM.y);
      if (d <= limitM) {
        return deny(
          'standoff.payload',
          `no payload release within ${limitM} m of ${t.className} ${t.id} (${d.toFixed(1)} m)`,
          {
            target: t.id,
            className: t.className,
            distanceM: d,
            noPayloadM: limitM,
          },
        );
      }
    }
    return ALLOW;
  }

  return {
    id: 'standoff',
    evaluate(action, state: GuardState) {
      const releasing = action.kind === 'payload' && action.on;
      if (specs.size === 0 || (!releasing && action.kind !== 'velocity' && action.kind !== 'goto')) return ALLOW;
      const pose = state.pose;
      if (pose === undefined || !poseUsable(state)) {
        return deny('source.stale', 'no usable pose to measure standoff distances', { source: 'pose' });
      }
      const targets = state.targets;
      for (const t of targets) {
        if (specs.has(t.className) && !(Number.isFinite(t.positionM.x) && Number.isFinite(t.positionM.y))) {
          return deny('standoff.target_invalid', `${t.className} ${t.id} has no usable position`, { target: t.id });
        }
      }
      if (action.kind === 'velocity') return velocity(action, pose, targets);
      if (action.kind === 'goto') return goto(action, pose, targets);
      return payload(pose, targets);
    },
  };
}

function segmentPointDistanceSq(ax: number, ay: number, bx: number, by: number, px: number, py: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / len2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/**
 * Fraction of a sampled path (0..1) before it first comes within `radiusM` of
 * (cx, cy); `Infinity` when it never does. Solves |a + u·(b − a) − c|² = r²
 * per chord for its smallest root in [0, 1].
 */
export function pathEntryFractionCircle(
  xs: Float64Array,
  ys: Float64Array,
  count: number,
  cx: number,
  cy: number,
  radiusM: number,
): number {
  const r2 = radiusM * radiusM;
  const segments = count - 1;
  for (let k = 0; k < segments; k++) {
    const ax = (xs[k] as number) - cx;
    const ay = (ys[k] as number) - cy;
    const dx = (xs[k + 1] as number) - (xs[k] as number);
    const dy = (ys[k + 1] as number) - (ys[k] as number);
    const c = ax * ax + ay * ay - r2;
    if (c <= 0) return k / segments;
    const a = dx * dx + dy * dy;
    if (a === 0) continue;
    const b = 2 * (ax * dx + ay * dy);
    const disc = b * b - 4 * a * c;
    if (disc < 0) continue;
    const u = (-b - Math.sqrt(disc)) / (2 * a);
    if (u >= 0 && u <= 1) return (k + u) / segments;
  }
  return Infinity;
}
