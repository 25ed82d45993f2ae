import { z } from 'zod';
import type { ImuSample } from '../../../runtime/index.js';
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

const imuSchema = z.object({
  header: headerSchema,
  orientation: quaternionSchema,
  orientation_covariance: float64Array(9),
  angular_velocity: vector3Schema,
  angular_velocity_covariance: float64Array(9),
  linear_acceleration: vector3Schema,
  linear_acceleration_covariance: float64Array(9),
});

/**
 * sensor_msgs/Imu to an ImuSample. A NaN rate or acceleration is rejected
 * (`imu.invalid`). `orientation_covariance[0] == -1` is the ROS way to say
 * "no orientation": the sample then has none, rather than a made-up identity.
 */
export function convertImu(ros: unknown): Conversion<ImuSample> {
  const p = parseRos(imuSchema, ros, 'imu.invalid');
  if (!p.ok) return p;
  const m = p.value;
  const sample: ImuSample = {
    frameId: m.header.frame_id,
    ...(m.orientation_covariance[0] === -1 ? {} : { orientation: m.orientation }),
    angularVelocityRps: m.angular_velocity,
    linearAccelerationMps2: m.linear_acceleration,
    angularVelocityCovariance: m.angular_velocity_covariance,
    linearAccelerationCovariance: m.linear_acceleration_covariance,
  };
  return accept(sample, stampToMs(m.header.stamp));
}
