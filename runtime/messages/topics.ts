import { defineTopic, type Topic } from '../bus/topic.js';
import type { ComponentHealth } from '../health.js';
import type { DetectionFrame, Target } from './perception.js';
import type { TransformsMessage } from './geometry.js';
import type { BatteryState, CameraFrame, GnssFix, ImuSample, LaserScan, Odometry, PoseEstimate } from './sensors.js';

/**
 * Well-known topics. Sensor topics are per sensor id (`sensors/<id>`); the
 * rest are singletons every component agrees on.
 */
export const SENSOR_MESSAGE_TYPES = {
  camera: 'sensor_msgs/msg/Image',
  imu: 'sensor_msgs/msg/Imu',
  gnss: 'sensor_msgs/msg/NavSatFix',
  odometry: 'nav_msgs/msg/Odometry',
  lidar: 'sensor_msgs/msg/LaserScan',
  battery: 'sensor_msgs/msg/BatteryState',
} as const;

export interface SensorMessages {
  camera: CameraFrame;
  imu: ImuSample;
  gnss: GnssFix;
  odometry: Odometry;
  lidar: LaserScan;
  battery: BatteryState;
}

export type SensorKind = keyof SensorMessages;

/** `sensorTopic('gnss', 'gnss')` is the topic `sensors/gnss` carrying NavSatFix. */
export function sensorTopic<K extends SensorKind>(kind: K, sensorId: string): Topic<SensorMessages[K]> {
  return defineTopic<SensorMessages[K]>(`sensors/${sensorId}`, SENSOR_MESSAGE_TYPES[kind]);
}

/** The robot's fused pose, published at a fixed rate. */
export const poseTopic = defineTopic<PoseEstimate>('state/pose', 'kestrel/PoseEstimate');
/** Battery as the guard and behaviors see it (from whichever battery sensor the mission lists). */
/** Transforms from a tf tree (ROS 2 `/tf` and `/tf_static`), for sensor mounts and frames Kestrel does not own. */
export const transformsTopic = defineTopic<TransformsMessage>('state/transforms', 'tf2_msgs/msg/TFMessage');
export const batteryTopic = defineTopic<BatteryState>('state/battery', 'sensor_msgs/msg/BatteryState');
export const detectionsTopic = defineTopic<DetectionFrame>('perception/detections', 'kestrel/DetectionFrame');
export const targetsTopic = defineTopic<readonly Target[]>('world/targets', 'kestrel/Targets');
export const healthTopic = defineTopic<ComponentHealth>('runtime/health', 'kestrel/ComponentHealth');

/** Runtime events for operators: phase changes, failsafes, notable decisions. */
export interface RuntimeEvent {
  readonly kind: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}
export const eventsTopic = defineTopic<RuntimeEvent>('runtime/events', 'kestrel/Event');
