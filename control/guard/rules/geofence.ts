import type { Action, EnuFrame, PoseEstimate, VelocityAction } from '../../../runtime/index.js';
import type { PreparedPolygon } from '../../geometry/polygon.js';
import { approachScale, PathSampler, scaleVelocity, type ApproachOptions } from '../motion.js';
import { ALLOW, deny, modify, STOP, type GuardRule, type RuleResult } from '../rule.js';
import { gotoTargetLocal, poseUsable } from '../zones.js';

export interface GeofenceOptions extends Partial<ApproachOptions> {
  /** Keep-in polygons in local metres; the robot must stay inside at least one. Empty: rule off. */
  readonly fences: readonly PreparedPolygon[];
  readonly horizonS: number;
  /** Shared with the other path rules so a path is sampled once per decision. */
  readonly sampler?: PathSampler;
  /** Converts geographic goto targets; without it they are denied. */
  readonly frame?: EnuFrame;
}

/** Defaults for the approach zone: stop below 5 % speed, end slowed paths 5 cm short of the line. */
export const DEFAULT_APPROACH: Omit<ApproachOptions, 'horizonS'> = { minFraction: 0.05, clearanceM: 0.05 };

/**
 * Keep-in fence, checked on the current position and on the predicted path.
 *
 * - Inside: a velocity command whose path over `horizonS` would leave the
 *   fence is slowed so it stops short of the line (`geofence.slow`), or
 *   stopped when the line is too close (`geofence.stop`), like Nav2's
 *   approach zones. A goto must have its target and its straight path inside.
 * - Outside (breached): only commands that head back towards the fence pass
 *   (`geofence.outside` otherwise); the failsafe decides what else happens.
 *
 * With several fences the robot may use whichever contains it; a path that
 * would cross from one overlapping fence into another is slowed at the first
 * one's edge (conservative, never wrong).
 */
export function geofenceRule(options: GeofenceOptions): GuardRule {
  const fences = options.fences;
  const approach: ApproachOptions = { ...DEFAULT_APPROACH, ...options, horizonS: options.horizonS };
  const sampler = options.sampler ?? new PathSampler();
  const nearest = new Float64Array(2);

  function velocity(action: VelocityAction, pose: PoseEstimate): RuleResult {
    const x = pose.positionM.x;
    const y = pose.positionM.y;
    const vx = action.linearMps.x;
    const vy = action.linearMps.y;
    if (vx === 0 && vy === 0) return ALLOW;
    let inside = false;
    let best = -1;
    const n = sampler.sample(pose, action, approach.horizonS);
    for (const fence of fences) {
      const f = fence.polylineExitFraction(sampler.xs, sampler.ys, n);
      if (f < 0) continue; // starts outside this fence
      inside = true;
      if (f > best) best = f;
      if (best === Infinity) return ALLOW;
    }
    if (!inside) return outside(action, pose);
    const scale = approachScale(best, sampler.lengthM, approach);
    if (scale === undefined) return ALLOW;
    const exitInS = best * approach.horizonS;
    const evidence = { exitInS, horizonS: approach.horizonS, positionM: [x, y], scale };
    if (scale === 0)
      return modify(STOP, 'geofence.stop', `would leave the fence in ${exitInS.toFixed(2)} s; stopping`, evidence);
    return modify(
      scaleVelocity(action, scale),
      'geofence.slow',
      `would leave the fence in ${exitInS.toFixed(2)} s; slowed to ${Math.round(scale * 100)} % so it stops short of the line`,
      evidence,
    );
  }

  function outside(action: VelocityAction, pose: PoseEstimate): RuleResult {
    const x = pose.positionM.x;
    const y = pose.positionM.y;
    let bestD = Infinity;
    let nx = x;
    let ny = y;
    for (const fence of fences) {
      const d = fence.nearestBoundaryPoint(x, y, nearest);
      if (d < bestD) {
        bestD = d;
        nx = nearest[0] as number;
        ny = nearest[1] as number;
      }
    }
    const c = Math.cos(pose.yawRad);
    const s = Math.sin(pose.yawRad);
    const ve = c * action.linearMps.x - s * action.linearMps.y;
    const vn = s * action.linearMps.x + c * action.linearMps.y;
    if (ve * (nx - x) + vn * (ny - y) > 0) return ALLOW;
    return deny(
      'geofence.outside',
      `outside the fence by ${Math.sqrt(bestD).toFixed(2)} m; only moves back towards it are allowed`,
      {
        positionM: [x, y],
        distanceM: Math.sqrt(bestD),
        nearestM: [nx, ny],
      },
    );
  }

  function goto(action: Extract<Action, { kind: 'goto' }>, pose: PoseEstimate): RuleResult {
    const target = gotoTargetLocal(action.target, options.frame);
    if (target === undefined) {
      return deny('geofence.no_origin', 'a geographic goto needs the mission origin to check it against the fence', {
        target: action.target,
      });
    }
    const x = pose.positionM.x;
    const y = pose.positionM.y;
    let targetInside = false;
    for (const fence of fences) {
      if (!fence.contains(target.x, target.y)) continue;
      targetInside = true;
      // From outside, a goto back into the fence is the way home: the target is what matters.
      if (!fence.contains(x, y) || fence.exitFraction(x, y, target.x, target.y) === Infinity) return ALLOW;
    }
    if (!targetInside) {
      return deny('geofence.target_outside', 'goto target is outside the fence', { targetM: [target.x, target.y] });
    }
    if (!fences.some((f) => f.contains(x, y))) return ALLOW;
    return deny('geofence.path_exits', 'the straight path to the goto target leaves the fence', {
      positionM: [x, y],
      targetM: [target.x, target.y],
    });
  }

  return {
    id: 'geofence',
    evaluate(action, state) {
      if (fences.length === 0 || (action.kind !== 'velocity' && action.kind !== 'goto')) return ALLOW;
      const pose = state.pose;
      if (pose === undefined || !poseUsable(state)) {
        return deny('source.stale', 'no usable pose to check the fence against', { source: 'pose' });
      }
      return action.kind === 'velocity' ? velocity(action, pose) : goto(action, pose);
    },
  };
}
