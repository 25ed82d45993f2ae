import type { SensorKind, SensorMessages } from '../../../runtime/index.js';
import { canonicalRosType } from '../../bag/ros-type-name.js';
import { convertBatteryState } from './battery-state.js';
import { convertCompressedImage } from './compressed-image.js';
import type { Converter } from './conversion.js';
import { convertImage } from './image.js';
import { convertImu } from './imu.js';
import { convertLaserScan } from './laser-scan.js';
import { convertNavSatFix } from './nav-sat-fix.js';
import { convertOdometry } from './odometry.js';

export type { Conversion, Converter } from './conversion.js';
export { stampToMs } from './conversion.js';
export {
  convertBatteryState,
  convertCompressedImage,
  convertImage,
  convertImu,
  convertLaserScan,
  convertNavSatFix,
  convertOdometry,
};

/** A converter and the Kestrel sensor kind it feeds. */
export interface SensorConverter<K extends SensorKind = SensorKind> {
  readonly kind: K;
  readonly rosType: string;
  readonly convert: Converter<SensorMessages[K]>;
}

function entry<K extends SensorKind>(kind: K, rosType: string, convert: Converter<SensorMessages[K]>): SensorConverter {
  return { kind, rosType, convert };
}

/**
 * Every ROS type Kestrel turns into a sensor message, shared by live topics
 * and recorded bags. Keys are new-style names (`sensor_msgs/msg/Image`).
 */
export const SENSOR_CONVERTERS: ReadonlyMap<string, SensorConverter> = new Map(
  [
    entry('camera', 'sensor_msgs/msg/Image', convertImage),
    entry('camera', 'sensor_msgs/msg/CompressedImage', convertCompressedImage),
    entry('imu', 'sensor_msgs/msg/Imu', convertImu),
    entry('gnss', 'sensor_msgs/msg/NavSatFix', convertNavSatFix),
    entry('odometry', 'nav_msgs/msg/Odometry', convertOdometry),
    entry('lidar', 'sensor_msgs/msg/LaserScan', convertLaserScan),
    entry('battery', 'sensor_msgs/msg/BatteryState', convertBatteryState),
  ].map((c) => [c.rosType, c]),
);

/** The converter for a ROS type in either naming style, or undefined when Kestrel has none. */
export function converterFor(rosType: string): SensorConverter | undefined {
  return SENSOR_CONVERTERS.get(canonicalRosType(rosType));
}

/**
 * The ROS type a live topic of this sensor kind carries. A camera topic
 * ending in `/compressed` is CompressedImage (image_transport's naming).
 */
export function rosTypeForSensor(kind: SensorKind, topic: string): string {
  switch (kind) {
    case 'camera':
      return topic.endsWith('/compressed') ? 'sensor_msgs/msg/CompressedImage' : 'sensor_msgs/msg/Image';
    case 'imu':
      return 'sensor_msgs/msg/Imu';
    case 'gnss':
      return 'sensor_msgs/msg/NavSatFix';
    case 'odometry':
      return 'nav_msgs/msg/Odometry';
    case 'lidar':
      return 'sensor_msgs/msg/LaserScan';
    case 'battery':
      return 'sensor_msgs/msg/BatteryState';
  }
}
