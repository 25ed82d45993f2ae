import type { LaserScan } from '../../../runtime/index.js';
import { GuardError } from '../../errors.js';
import { PreparedPolygon } from '../../geometry/polygon.js';
import { scaleVelocity } from '../motion.js';
import { ageMs, ALLOW, deny, modify, STOP, type GuardRule } from '../rule.js';
import { gotoTargetLocal, poseUsable } from '../zones.js';

export interface ObstacleOptions {
  /** Body-frame (FLU) polygon: a lidar return inside it, ahead of the motion, stops the robot. */
  readonly stopPolygon: readonly (readonly [number, number])[];
  /** Body-frame polygon: a return inside it, ahead of the motion, scales speed by `slowScale`. */
  readonly slowPolygon?: readonly (readonly [number, number])[];
  /** Nav2's slowdown_ratio. Default 0.5. */
  readonly slowScale?: number;
  /** A scan older than this is stale and motion is denied, ms. Default 500. */
  readonly staleAfterMs?: number;
  /** The mission has a lidar: motion without any scan is denied. Default true. */
  readonly required?: boolean;
}

/**
 * Grows the footprint's bounding box by `marginM` on every side: the stop and
 * slow polygons Nav2 users draw by hand, derived when the mission gives only a footprint.
 */
export function footprintBox(footprint: readonly (readonly [number, number])[], marginM: number): [number, number][] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of footprint) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return [
    [minX - marginM, minY - marginM],
    [maxX + marginM, minY - marginM],
    [maxX + marginM, maxY + marginM],
    [minX - marginM, maxY + marginM],
  ];
}

/**
 * Obstacle proximity from the latest lidar scan, like Nav2's collision
 * monitor with a stop and a slowdown polygon. Only returns ahead of the
 * motion count (positive dot product with the body-frame velocity), so a
 * robot boxed in can still back away. The scan is taken to be in the body
 * frame; sensor mounting offsets come with the TF work.
 */
export function obstacleRule(options: ObstacleOptions): GuardRule {
  const stop = new PreparedPolygon(options.stopPolygon);
  const slow = options.slowPolygon === undefined ? undefined : new PreparedPolygon(options.slowPolygon);
  const slowScale = options.slowScale ?? 0.5;
  if (!(slowScale > 0 && slowScale <= 1))
    throw new GuardError('guard.config_invalid', `slowScale must be in (0, 1], got ${slowScale}`);
  const staleAfterMs = options.staleAfterMs ?? 500;
  const required = options.required ?? true;
  // Cosine/sine per beam, rebuilt only when the scan geometry changes.
  let cos = new Float64Array(0);
  let sin = new Float64Array(0);
  let tableMin = NaN;
  let tableInc = NaN;

  function table(scan: LaserScan): void {
    const n = scan.rangesM.length;
    if (n === cos.length && scan.angleMinRad === tableMin && scan.angleIncrementRad === tableInc) return;
    cos = new Float64Array(n);
    sin = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = scan.angleMinRad + i * scan.angleIncrementRad;
      cos[i] = Math.cos(a);
      sin[i] = Math.sin(a);
    }
    tableMin = scan.angleMinRad;
    tableInc = scan.angleIncrementRad;
  }

  return {
    id: 'obstacle',
    evaluate(action, state, nowMs) {
      let dirX: number;
      let dirY: number;
      if (action.kind === 'velocity') {
        dirX = action.linearMps.x;
        dirY = action.linearMps.y;
      } else if (action.kind === 'goto') {
        const pose = state.pose;
        const goal = gotoTargetLocal(action.target, undefined);
        // Geographic goals and missing poses are the other rules' business; here only the heading matters.
        if (pose === undefined || goal === undefined || !poseUsable(state)) return ALLOW;
        const ex = goal.x - pose.positionM.x;
        const ey = goal.y - pose.positionM.y;
        const c = Math.cos(pose.yawRad);
        const s = Math.sin(pose.yawRad);
        dirX = c * ex + s * ey;
        dirY = -s * ex + c * ey;
      } else {
        return ALLOW;
      }
      if (dirX === 0 && dirY === 0) return ALLOW;
      const scan = state.scan;
      if (scan === undefined) {
        return required ? deny('source.stale', 'no lidar scan received yet', { source: 'lidar' }) : ALLOW;
      }
      const age = ageMs(state.scanStampMs, nowMs);
      if (!(age <= staleAfterMs)) {
        return deny('source.stale', `lidar scan is ${Math.round(age)} ms old (stale after ${staleAfterMs} ms)`, {
          source: 'lidar',
          ageMs: Number.isFinite(age) ? age : null,
          staleAfterMs,
        });
      }
      table(scan);
      const ranges = scan.rangesM;
      let slowHit = -1;
      for (let i = 0; i < ranges.length; i++) {
        const r = ranges[i] as number;
        // Out-of-range and NaN returns are "no return" (sensor_msgs/LaserScan).
        if (!(r >= scan.rangeMinM && r <= scan.rangeMaxM)) continue;
        const px = r * (cos[i] as number);
        const py = r * (sin[i] as number);
        if (px * dirX + py * dirY <= 0) continue;
        if (stop.contains(px, py)) {
          return modify(STOP, 'obstacle.stop', `obstacle ${r.toFixed(2)} m away inside the stop zone`, {
            pointM: [px, py],
            rangeM: r,
            beam: i,
          });
        }
        if (slowHit < 0 && slow?.contains(px, py) === true) slowHit = i;
      }
      if (slowHit < 0 || action.kind !== 'velocity') return ALLOW;
      const r = ranges[slowHit] as number;
      return modify(
        scaleVelocity(action, slowScale),
        'obstacle.slow',
        `obstacle ${r.toFixed(2)} m away inside the slow zone`,
        {
          pointM: [r * (cos[slowHit] as number), r * (sin[slowHit] as number)],
          rangeM: r,
          beam: slowHit,
          scale: slowScale,
        },
      );
    },
  };
}
