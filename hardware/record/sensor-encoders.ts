import type {
  BatteryState,
  CameraFrame,
  GnssFix,
  ImuSample,
  LaserScan,
  Odometry,
  SensorKind,
  SensorMessages,
} from '../../runtime/index.js';
import { msToStamp, type RosTime } from '../ros2/outputs/stamp.js';

/**
 * Kestrel sensor messages to their ROS 2 form (plain objects with ROS field
 * names, ready for `MessageWriter`): the inverse of `hardware/ros2/convert`,
 * so a recorded message converts back to what was on the bus. Where ROS has a
 * field Kestrel does not keep, it gets the ROS "unknown" value (0 covariance,
 * NaN charge, `orientation_covariance[0] = -1` for an IMU without orientation).
 */

interface Header {
  readonly stamp: RosTime;
  readonly frame_id: string;
}

function header(frameId: string, stampMs: number): Header {
  return { stamp: msToStamp(stampMs), frame_id: frameId };
}

const zeros = (n: number): Float64Array => new Float64Array(n);

/** A raw CameraFrame as sensor_msgs/Image; undefined for compressed frames (jpeg, png), which are not Image. */
export function toImage(f: CameraFrame, stampMs: number): object | undefined {
  if (f.encoding !== 'rgb8' && f.encoding !== 'bgr8' && f.encoding !== 'mono8') return undefined;
  return {
    header: header(f.frameId, stampMs),
    height: f.height,
    width: f.width,
    encoding: f.encoding,
    is_bigendian: 0,
    step: f.stepBytes,
    data: f.data,
  };
}

export function toImu(s: ImuSample, stampMs: number): object {
  const orientationCovariance = zeros(9);
  if (s.orientation === undefined) orientationCovariance[0] = -1;
  return {
    header: header(s.frameId, stampMs),
    orientation: s.orientation ?? { x: 0, y: 0, z: 0, w: 1 },
    orientation_covariance: orientationCovariance,
    angular_velocity: s.angularVelocityRps,
    angular_velocity_covariance: Float64Array.from(s.angularVelocityCovariance ?? zeros(9)),
    linear_acceleration: s.linearAccelerationMps2,
    linear_acceleration_covariance: Float64Array.from(s.linearAccelerationCovariance ?? zeros(9)),
  };
}

/** NavSatStatus: SERVICE_GPS (1); COVARIANCE_TYPE_KNOWN (3) when the covariance is set. */
export function toNavSatFix(g: GnssFix, stampMs: number): object {
  return {
    header: header(g.frameId, stampMs),
    status: { status: g.status, service: 1 },
    latitude: g.latDeg,
    longitude: g.lonDeg,
    altitude: g.altM,
    position_covariance: Float64Array.from(g.positionCovariance.length === 9 ? g.positionCovariance : zeros(9)),
    position_covariance_type: g.positionCovariance.some((v) => v !== 0) ? 3 : 0,
  };
}

export function toOdometry(o: Odometry, stampMs: number): object {
  return {
    header: header(o.frameId, stampMs),
    child_frame_id: o.childFrameId,
    pose: {
      pose: { position: o.positionM, orientation: o.orientation },
      covariance: Float64Array.from(o.poseCovariance),
    },
    twist: {
      twist: { linear: o.linearVelocityMps, angular: o.angularVelocityRps },
      covariance: Float64Array.from(o.twistCovariance),
    },
  };
}

export function toLaserScan(l: LaserScan, stampMs: number): object {
  return {
    header: header(l.frameId, stampMs),
    angle_min: l.angleMinRad,
    angle_max: l.angleMinRad + l.angleIncrementRad * Math.max(0, l.rangesM.length - 1),
    angle_increment: l.angleIncrementRad,
    time_increment: 0,
    scan_time: 0,
    range_min: l.rangeMinM,
    range_max: l.rangeMaxM,
    ranges: l.rangesM,
    intensities: new Float32Array(0),
  };
}

/**
 * sensor_msgs/BatteryState. ROS's `percentage` is a float32 in 0..1, so the
 * percent read back can differ from the recorded one in its 7th digit.
 */
export function toBatteryState(b: BatteryState, stampMs: number): object {
  return {
    header: header(b.frameId, stampMs),
    voltage: b.voltageV,
    temperature: NaN,
    current: b.currentA,
    charge: NaN,
    capacity: NaN,
    design_capacity: NaN,
    percentage: b.percent / 100,
    power_supply_status: 0,
    power_supply_health: 0,
    power_supply_technology: 0,
    present: true,
    cell_voltage: new Float32Array(0),
    cell_temperature: new Float32Array(0),
    location: '',
    serial_number: '',
  };
}

/** A sensor message of `kind` in its ROS 2 form, or undefined when it has none here (a compressed frame). */
export function toRosSensorMessage<K extends SensorKind>(
  kind: K,
  message: SensorMessages[K],
  stampMs: number,
): object | undefined {
  switch (kind) {
    case 'camera':
      return toImage(message as CameraFrame, stampMs);
    case 'imu':
      return toImu(message as ImuSample, stampMs);
    case 'gnss':
      return toNavSatFix(message as GnssFix, stampMs);
    case 'odometry':
      return toOdometry(message as Odometry, stampMs);
    case 'lidar':
      return toLaserScan(message as LaserScan, stampMs);
    case 'battery':
      return toBatteryState(message as BatteryState, stampMs);
  }
  return undefined;
}
