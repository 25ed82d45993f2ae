/**
 * One check per registered converter: it converts a well-formed message, and
 * rejects the same message with a NaN in a measured field.
 */
import { describe, expect, it } from 'vitest';
import {
  SENSOR_CONVERTERS,
  convertBatteryState,
  convertImu,
  convertLaserScan,
  convertOdometry,
  converterFor,
  rosTypeForSensor,
} from '../../../../hardware/index.js';
import {
  batteryStateMsg,
  compressedImageMsg,
  imageMsg,
  imuMsg,
  jpegHeader,
  laserScanMsg,
  navSatFixMsg,
  odometryMsg,
} from '../../fixtures/ros-messages.js';

const NS = 1_700_000_000_000_000_000n;

/** A good message and a path to poison with NaN, per ROS type. */
const CASES: Record<string, { good: () => object; poison: (m: Record<string, unknown>) => void }> = {
  'sensor_msgs/msg/Image': { good: () => imageMsg(NS, 2, 2), poison: (m) => (m.width = NaN) },
  'sensor_msgs/msg/CompressedImage': {
    good: () => compressedImageMsg(NS, 'jpeg', jpegHeader(8, 8)),
    poison: (m) => ((m.header as { stamp: { sec: number } }).stamp.sec = NaN),
  },
  'sensor_msgs/msg/Imu': {
    good: () => imuMsg(NS, 1),
    poison: (m) => ((m.linear_acceleration as { x: number }).x = NaN),
  },
  'sensor_msgs/msg/NavSatFix': {
    good: () => navSatFixMsg(NS, { status: 0, lat: 1, lon: 2, alt: 3 }),
    poison: (m) => (m.latitude = NaN),
  },
  'nav_msgs/msg/Odometry': {
    good: () => odometryMsg(NS),
    poison: (m) => ((m.pose as { pose: { position: { x: number } } }).pose.position.x = NaN),
  },
  'sensor_msgs/msg/LaserScan': { good: () => laserScanMsg(NS), poison: (m) => (m.angle_increment = NaN) },
  'sensor_msgs/msg/BatteryState': { good: () => batteryStateMsg(NS, 0.5), poison: (m) => (m.percentage = NaN) },
};

describe('sensor converters', () => {
  it('has a case for every registered converter', () => {
    expect(Object.keys(CASES).sort()).toEqual([...SENSOR_CONVERTERS.keys()].sort());
  });

  for (const [type, c] of Object.entries(CASES)) {
    it(`${type}: converts a good message and rejects a NaN with a reason`, () => {
      const conv = converterFor(type)!;
      expect(conv.convert(c.good()).ok).toBe(true);
      const bad = c.good() as Record<string, unknown>;
      c.poison(bad);
      const r = conv.convert(bad);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason.length > 0).toBe(true);
    });
  }

  it('finds converters by old and new type names, and picks CompressedImage for /compressed topics', () => {
    expect(converterFor('sensor_msgs/Imu')?.kind).toBe('imu');
    expect(converterFor('sensor_msgs/msg/Imu')?.kind).toBe('imu');
    expect(converterFor('std_msgs/msg/String')).toBeUndefined();
    expect(rosTypeForSensor('camera', '/cam/image_raw/compressed')).toBe('sensor_msgs/msg/CompressedImage');
    expect(rosTypeForSensor('camera', '/cam/image_raw')).toBe('sensor_msgs/msg/Image');
  });
});

describe('field mapping', () => {
  it('Imu: drops orientation when its covariance says "not provided" (-1)', () => {
    const m = imuMsg(NS, 0) as { orientation_covariance: Float64Array };
    m.orientation_covariance[0] = -1;
    const c = convertImu(m);
    expect(c.ok && c.message.orientation).toBeUndefined();
    expect(c.ok && c.message.linearAccelerationMps2).toEqual({ x: 0.1, y: 0.2, z: 9.81 });
  });

  it('Odometry: pose, twist and 36-value covariances', () => {
    const c = convertOdometry(odometryMsg(NS));
    if (!c.ok) throw new Error(c.reason);
    expect(c.message).toMatchObject({
      frameId: 'odom',
      childFrameId: 'base_link',
      positionM: { x: 1.5, y: -2, z: 0 },
      linearVelocityMps: { x: 0.8, y: 0, z: 0 },
      angularVelocityRps: { x: 0, y: 0, z: 0.1 },
    });
    expect(c.message.poseCovariance).toHaveLength(36);
  });

  it('LaserScan: keeps the ranges array (no copy) with Inf as no return', () => {
    const m = laserScanMsg(NS) as { ranges: Float32Array };
    const c = convertLaserScan(m);
    if (!c.ok) throw new Error(c.reason);
    expect(c.message.rangesM).toBe(m.ranges);
    expect(c.message.rangeMaxM).toBe(30);
  });

  it('BatteryState: 0..1 becomes percent, charge/capacity stands in for a NaN percentage', () => {
    const c = convertBatteryState(batteryStateMsg(NS, 0.76));
    expect(c.ok && c.message.percent).toBeCloseTo(76, 6);
    const m = batteryStateMsg(NS, NaN) as Record<string, number>;
    m.charge = 2;
    m.capacity = 4;
    const d = convertBatteryState(m);
    expect(d.ok && d.message.percent).toBe(50);
    expect(convertBatteryState(batteryStateMsg(NS, NaN))).toMatchObject({ ok: false, code: 'battery.unknown_charge' });
  });
});
