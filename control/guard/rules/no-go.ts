import type { Action, EnuFrame, PoseEstimate, VelocityAction } from '../../../runtime/index.js';
import type { PreparedPolygon } from '../../geometry/polygon.js';
import { approachScale, PathSampler, scaleVelocity, type ApproachOptions } from '../motion.js';
import { ALLOW, deny, modify, STOP, type GuardRule, type RuleResult } from '../rule.js';
import { gotoTargetLocal, poseUsable } from '../zones.js';
import { DEFAULT_APPROACH } from './geofence.js';

export interface NoGoZone {
  /** Shown in decisions, e.g. `school`. */
  readonly name: string;
  readonly polygon: PreparedPolygon;
}

export interface NoGoOptions extends Partial<ApproachOptions> {
  readonly zones: readonly NoGoZone[];
  readonly horizonS: number;
  /** Shared with the other path rules so a path is sampled once per decision. */
  readonly sampler?: PathSampler;
  readonly frame?: EnuFrame;
}

/**
 * Keep-out zones, including holes in a keep-in fence. A zone's edge counts as
 * inside it, so a path that merely touches a zone is slowed or stopped like
 * one that enters it. Inside a zone (the robot got there somehow) only
 * commands heading out pass.
 */
export function noGoRule(options: NoGoOptions): GuardRule {
  const zones = options.zones;
  const approach: ApproachOptions = { ...DEFAULT_APPROACH, ...options, horizonS: options.horizonS };
  const sampler = options.sampler ?? new PathSampler();
  const nearest = new Float64Array(2);

  function velocity(action: VelocityAction, pose: PoseEstimate): RuleResult {
    const x = pose.positionM.x;
    const y = pose.positionM.y;
    if (action.linearMps.x === 0 && action.linearMps.y === 0) return ALLOW;
    const n = sampler.sample(pose, action, approach.horizonS);
    let first = Infinity;
    let hit: NoGoZone | undefined;
    for (const zone of zones) {
      if (zone.polygon.contains(x, y)) return inside(action, pose, zone);
      const f = zone.polygon.polylineEntryFraction(sampler.xs, sampler.ys, n);
      if (f < first) {
        first = f;
        hit = zone;
      }
    }
    const scale = approachScale(first, sampler.lengthM, approach);
    if (scale === undefined || hit === undefined) return ALLOW;
    const entryInS = first * approach.horizonS;
    const evidence = { zone: hit.name, entryInS, horizonS: approach.horizonS, positionM: [x, y], scale };
    if (scale === 0) {
      return modify(
        STOP,
        'no_go.stop',
        `would enter no-go zone "${hit.name}" in ${entryInS.toFixed(2)} s; stopping`,
        evidence,
      );
    }
    return modify(
      scaleVelocity(action, scale),
      'no_go.slow',
      `would enter no-go zone "${hit.name}" in ${entryInS.toFixed(2)} s; slowed to ${Math.round(scale * 100)} %`,
      evidence,
    );
  }

  function inside(action: VelocityAction, pose: PoseEstimate, zone: NoGoZone): RuleResult {
    const x = pose.positionM.x;
    const y = pose.positionM.y;
    zone.polygon.nearestBoundaryPoint(x, y, nearest);
    const nx = nearest[0] as number;
    const ny = nearest[1] as number;
    const c = Math.cos(pose.yawRad);
    const s = Math.sin(pose.yawRad);
    const ve = c * action.linearMps.x - s * action.linearMps.y;
    const vn = s * action.linearMps.x + c * action.linearMps.y;
    // On the edge the nearest point is the robot itself; then any move is judged by the path test above next time.
    if (ve * (nx - x) + vn * (ny - y) > 0) return ALLOW;
    return deny('no_go.inside', `inside no-go zone "${zone.name}"; only moves out of it are allowed`, {
      zone: zone.name,
      positionM: [x, y],
      nearestExitM: [nx, ny],
    });
  }

  function goto(action: Extract<Action, { kind: 'goto' }>, pose: PoseEstimate): RuleResult {
    const target = gotoTargetLocal(action.target, options.frame);
    if (target === undefined) {
      return deny('no_go.no_origin', 'a geographic goto needs the mission origin to check it against no-go zones', {
        target: action.target,
      });
    }
    const x = pose.positionM.x;
    const y = pose.positionM.y;
    for (const zone of zones) {
      if (zone.polygon.contains(target.x, target.y)) {
        return deny('no_go.target_inside', `goto target is inside no-go zone "${zone.name}"`, {
          zone: zone.name,
          targetM: [target.x, target.y],
        });
      }
      // Leaving the zone we are in is allowed; crossing any zone on the way is not.
      if (!zone.polygon.contains(x, y) && zone.polygon.segmentIntersects(x, y, target.x, target.y)) {
        return deny('no_go.path_enters', `the straight path to the goto target crosses no-go zone "${zone.name}"`, {
          zone: zone.name,
          positionM: [x, y],
          targetM: [target.x, target.y],
        });
      }
    }
    return ALLOW;
  }

  return {
    id: 'no-go',
    evaluate(action, state) {
      if (zones.length === 0 || (action.kind !== 'velocity' && action.kind !== 'goto')) return ALLOW;
      const pose = state.pose;
      if (pose === undefined || !poseUsable(state)) {
        return deny('source.stale', 'no usable pose to check no-go zones against', { source: 'pose' });
      }
      return action.kind === 'velocity' ? velocity(action, pose) : goto(action, pose);
    },
  };
}
