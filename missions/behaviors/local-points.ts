import { EnuFrame } from '../../runtime/index.js';
import type { Mission } from '../schema/mission.js';
import type { Point } from '../schema/geometry.js';
import { openRing } from '../schema/geometry.js';
import type { XY } from './lawnmower.js';

/** The mission's ENU frame, when it has a GNSS origin. */
export function missionFrame(mission: Mission): EnuFrame | undefined {
  const o = mission.origin;
  return o === undefined ? undefined : new EnuFrame({ latDeg: o.lat, lonDeg: o.lon, altM: o.altM });
}

/** Local [x, y] metres for any mission point (the schema guarantees an origin when a point is geographic). */
export function toLocal(point: Point, frame: EnuFrame | undefined): XY {
  if (Array.isArray(point)) return [point[0], point[1]];
  const geo = point;
  if (frame === undefined) throw new RangeError('a geographic point needs the mission origin');
  const e = frame.toEnu(geo.lat, geo.lon, frame.origin.altM);
  return [e.x, e.y];
}

export function polygonToLocal(polygon: readonly Point[], frame: EnuFrame | undefined): XY[] {
  return openRing(polygon).map((p) => toLocal(p, frame));
}
