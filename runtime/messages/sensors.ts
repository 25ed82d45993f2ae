import type { Covariance6, Quaternion, Vec3 } from './geometry.js';

/**
 * Sensor messages on the bus. Shapes follow the ROS 2 messages they come from
 * (sensor_msgs, nav_msgs), with units in field names, so the ROS 2 adapter
 * converts field by field and the simulator produces exactly what a robot does.
 * Timestamps live in the bus envelope (`stampMs`), not in the message.
 */

/** sensor_msgs/Imu. A covariance of `[-1, ...]` marks a field the sensor does not provide (ROS convention). */
export interface ImuSample {
  readonly frameId: string;
  readonly orientation?: Quaternion;
  readonly angularVelocityRps: Vec3;
  readonly linearAccelerationMps2: Vec3;
  readonly angularVelocityCovariance?: readonly number[];
  readonly linearAccelerationCovariance?: readonly number[];
}

/** sensor_msgs/NavSatFix. */
export interface GnssFix {
  readonly frameId: string;
  /** -1 no fix, 0 fix, 1 SBAS, 2 GBAS/RTK (sensor_msgs/NavSatStatus). */
  readonly status: -1 | 0 | 1 | 2;
  readonly latDeg: number;
  readonly lonDeg: number;
  readonly altM: number;
  /** Row-major 3x3 ENU position covariance, m². */
  readonly positionCovariance: readonly number[];
}

/** nav_msgs/Odometry: pose in `frameId` (odom), twist in `childFrameId` (base_link). */
export interface Odometry {
  readonly frameId: string;
  readonly childFrameId: string;
  readonly positionM: Vec3;
  readonly orientation: Quaternion;
  readonly poseCovariance: Covariance6;
  readonly linearVelocityMps: Vec3;
  readonly angularVelocityRps: Vec3;
  readonly twistCovariance: Covariance6;
}

/** sensor_msgs/LaserScan. Ranges outside [rangeMinM, rangeMaxM] are no return. */
export interface LaserScan {
  readonly frameId: string;
  readonly angleMinRad: number;
  readonly angleIncrementRad: number;
  readonly rangeMinM: number;
  readonly rangeMaxM: number;
  readonly rangesM: Float32Array;
}

/** sensor_msgs/BatteryState (subset). */
export interface BatteryState {
  readonly frameId: string;
  /** 0..100. */
  readonly percent: number;
  readonly voltageV: number;
  readonly currentA: number;
}

export type PixelEncoding = 'rgb8' | 'bgr8' | 'mono8' | 'jpeg' | 'png';

/**
 * A camera frame: raw pixels (sensor_msgs/Image) or compressed bytes
 * (sensor_msgs/CompressedImage). `data` is borrowed, never copied on the bus.
 */
export interface CameraFrame {
  readonly frameId: string;
  readonly width: number;
  readonly height: number;
  readonly encoding: PixelEncoding;
  /** Bytes per row for raw encodings (0 for compressed). */
  readonly stepBytes: number;
  readonly data: Uint8Array;
}

/** The robot's pose estimate with covariance (geometry_msgs/PoseWithCovarianceStamped + twist). */
export interface PoseEstimate {
  readonly frameId: string;
  readonly positionM: Vec3;
  readonly orientation: Quaternion;
  readonly yawRad: number;
  readonly poseCovariance: Covariance6;
  readonly linearVelocityMps: Vec3;
  readonly yawRateRps: number;
  /** Where the estimate came from, e.g. `ekf`, `odometry-passthrough`. */
  readonly source: string;
  /**
   * Sensor time of the newest position or velocity measurement behind this
   * estimate (epoch ms). A filter publishes predictions stamped "now"; this
   * says how old what it knows really is, and staleness is judged on it.
   */
  readonly measuredAtMs?: number;
}
