import { z } from 'zod';
import type { Odometry } from '../../../runtime/index.js';
import {
  accept,
  float64Array,
  headerSchema,
  parseRos,
  quaternionSchema,
  stampToMs,
  vector3Schema,
  type Conversion,
} from './conversion.js';

const odometrySchema = z.object({
  header: headerSchema,
  child_frame_id: z.string(),
  pose: z.object({
    pose: z.object({ position: vector3Schema, orientation: quaternionSchema }),
    covariance: float64Array(36),
  }),
  twist: z.object({
    twist: z.object({ linear: vector3Schema, angular: vector3Schema }),
    covariance: float64Array(36),
  }),
});

/** nav_msgs/Odometry: pose in `header.frame_id`, twist in `child_frame_id`. NaN anywhere but covariances is rejected. */
export function convertOdometry(ros: unknown): Conversion<Odometry> {
  const p = parseRos(odometrySchema, ros, 'odometry.invalid');
  if (!p.ok) return p;
  const m = p.value;
  const odom: Odometry = {
    frameId: m.header.frame_id,
    childFrameId: m.child_frame_id,
    positionM: m.pose.pose.position,
    orientation: m.pose.pose.orientation,
    poseCovariance: m.pose.covariance,
    linearVelocityMps: m.twist.twist.linear,
    angularVelocityRps: m.twist.twist.angular,
    twistCovariance: m.twist.covariance,
  };
  return accept(odom, stampToMs(m.header.stamp));
}
