import { z } from 'zod';
import type { GnssFix } from '../../../runtime/index.js';
import {
  accept,
  float64Array,
  headerSchema,
  numberOrNaN,
  parseRos,
  reject,
  stampToMs,
  type Conversion,
} from './conversion.js';

const navSatFixSchema = z.object({
  header: headerSchema,
  status: z.object({ status: z.number().int(), service: z.number().int() }),
  latitude: numberOrNaN,
  longitude: numberOrNaN,
  altitude: numberOrNaN,
  position_covariance: float64Array(9),
});

/**
 * sensor_msgs/NavSatFix to a GnssFix. Receivers publish while they have no
 * fix: status NO_FIX (-1) or UNKNOWN (-2, Jazzy) and NaN coordinates. Those
 * are rejected here (`gnss.no_fix`, `gnss.nan_position`), before fusion, so a
 * filter never sees NaN.
 */
export function convertNavSatFix(ros: unknown): Conversion<GnssFix> {
  const p = parseRos(navSatFixSchema, ros, 'gnss.invalid');
  if (!p.ok) return p;
  const m = p.value;
  const status = m.status.status;
  if (status < 0) return reject('gnss.no_fix', `status ${status} (${status === -1 ? 'NO_FIX' : 'UNKNOWN'})`);
  if (status > 2) return reject('gnss.invalid', `status ${status} is not a NavSatStatus value`);
  if (!Number.isFinite(m.latitude) || !Number.isFinite(m.longitude) || !Number.isFinite(m.altitude)) {
    return reject('gnss.nan_position', `position is lat ${m.latitude}, lon ${m.longitude}, alt ${m.altitude}`);
  }
  if (Math.abs(m.latitude) > 90 || Math.abs(m.longitude) > 180) {
    return reject('gnss.out_of_range', `lat ${m.latitude} / lon ${m.longitude} is off the globe`);
  }
  const fix: GnssFix = {
    frameId: m.header.frame_id,
    status: status as GnssFix['status'],
    latDeg: m.latitude,
    lonDeg: m.longitude,
    altM: m.altitude,
    positionCovariance: m.position_covariance,
  };
  return accept(fix, stampToMs(m.header.stamp));
}
