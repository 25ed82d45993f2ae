/**
 * Geometry shared by every message. Frames follow REP-103/105: the local
 * `map`/`odom` frames are ENU (x east, y north, z up), bodies are FLU
 * (x forward, y left, z up), yaw is counter-clockwise from east in radians.
 */
export interface Vec3 {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** Unit quaternion (x, y, z, w), as in geometry_msgs/Quaternion. */
export interface Quaternion {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly w: number;
}

/** Row-major 6x6 covariance of (x, y, z, roll, pitch, yaw), as in geometry_msgs/PoseWithCovariance. */
export type Covariance6 = readonly number[];

export function yawToQuaternion(yawRad: number): Quaternion {
  const h = yawRad / 2;
  return { x: 0, y: 0, z: Math.sin(h), w: Math.cos(h) };
}

export function quaternionToYaw(q: Quaternion): number {
  return Math.atan2(2 * (q.w * q.z + q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
}

/** Wraps an angle to (-π, π]. */
export function wrapAngle(rad: number): number {
  const a = ((((rad + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI;
  return a === -Math.PI ? Math.PI : a;
}

/**
 * One transform of a ROS 2 tf tree (geometry_msgs/TransformStamped):
 * `parent_T_child`, i.e. it maps points in `child` into `parent`. Frame ids
 * carry no leading slash (tf2's convention).
 */
export interface TransformStamped {
  readonly parent: string;
  readonly child: string;
  /** Header stamp, epoch ms. */
  readonly stampMs: number;
  readonly translation: Vec3;
  /** Unit quaternion. */
  readonly rotation: Quaternion;
}

/** A batch of transforms as one TFMessage carried them; `isStatic` for `/tf_static` (they never expire). */
export interface TransformsMessage {
  readonly transforms: readonly TransformStamped[];
  readonly isStatic: boolean;
}
