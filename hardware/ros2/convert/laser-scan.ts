import { z } from 'zod';
import type { LaserScan } from '../../../runtime/index.js';
import {
  accept,
  float32ArraySchema,
  headerSchema,
  parseRos,
  reject,
  stampToMs,
  type Conversion,
} from './conversion.js';

const laserScanSchema = z.object({
  header: headerSchema,
  angle_min: z.number(),
  angle_increment: z.number(),
  range_min: z.number().min(0),
  range_max: z.number(),
  ranges: float32ArraySchema,
});

/**
 * sensor_msgs/LaserScan. Ranges stay the Float32Array they arrive as (no
 * copy); NaN and ±Inf inside them are ROS's "no return" and stay, since
 * LaserScan consumers already skip ranges outside [rangeMinM, rangeMaxM].
 */
export function convertLaserScan(ros: unknown): Conversion<LaserScan> {
  const p = parseRos(laserScanSchema, ros, 'lidar.invalid');
  if (!p.ok) return p;
  const m = p.value;
  if (!(m.range_max > m.range_min)) {
    return reject('lidar.invalid', `range_max ${m.range_max} m is not above range_min ${m.range_min} m`);
  }
  const scan: LaserScan = {
    frameId: m.header.frame_id,
    angleMinRad: m.angle_min,
    angleIncrementRad: m.angle_increment,
    rangeMinM: m.range_min,
    rangeMaxM: m.range_max,
    rangesM: m.ranges,
  };
  return accept(scan, stampToMs(m.header.stamp));
}
