import { openRing } from '../../missions/index.js';
import type { Point } from '../../missions/index.js';
import type { EnuFrame } from '../../runtime/index.js';
import { GuardError } from '../errors.js';
import { PreparedPolygon } from '../geometry/polygon.js';
import type { GuardState } from './rule.js';

/**
 * Converts a mission polygon to local ENU metres and prepares it. Geographic
 * points go through the mission's `EnuFrame` (exact WGS-84 → ECEF → ENU, no
 * flat-earth step, nothing that wraps at the antimeridian), at the origin's
 * altitude: fences are 2-D prisms.
 *
 * @param path where the polygon sits in the mission, for the error message.
 * @throws GuardError `guard.geo_without_origin` for a geographic point and no frame.
 */
export function prepareMissionPolygon(
  points: readonly Point[],
  frame: EnuFrame | undefined,
  path: string,
): PreparedPolygon {
  const ring = openRing(points).map((p, i): [number, number] => {
    if (Array.isArray(p)) return [p[0], p[1]];
    const geo = p;
    if (frame === undefined) {
      throw new GuardError('guard.geo_without_origin', `${path}[${i}]: geographic points need the mission's origin`, {
        issues: [{ code: 'guard.geo_without_origin', path: [...path.split('.'), i], message: 'no origin block' }],
      });
    }
    const e = frame.toEnu(geo.lat, geo.lon, frame.origin.altM);
    return [e.x, e.y];
  });
  return new PreparedPolygon(ring);
}

/** Local (x, y) of a goto target, converting geographic ones; `undefined` when there is no frame for them. */
export function gotoTargetLocal(
  target: { frame: 'local'; x: number; y: number } | { frame: 'geo'; lat: number; lon: number },
  frame: EnuFrame | undefined,
): { x: number; y: number } | undefined {
  if (target.frame === 'local') return { x: target.x, y: target.y };
  if (frame === undefined) return undefined;
  const e = frame.toEnu(target.lat, target.lon, frame.origin.altM);
  return { x: e.x, y: e.y };
}

/** True when the pose exists and every field the geometry rules read is a finite number. */
export function poseUsable(state: GuardState): boolean {
  const p = state.pose;
  if (p === undefined) return false;
  return (
    Number.isFinite(p.positionM.x) &&
    Number.isFinite(p.positionM.y) &&
    Number.isFinite(p.positionM.z) &&
    Number.isFinite(p.yawRad)
  );
}
