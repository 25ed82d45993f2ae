import type { KestrelPlugin } from '../runtime/index.js';
import { LogActuator } from './log-actuator.js';
import { Ros2Endpoint } from './ros2/ros2-placeholder.js';

/** Hardware adapters: ROS 2 endpoints (loaded lazily) and the dry-run actuator. */
export const hardwarePlugin: KestrelPlugin = {
  name: 'kestrel-hardware',
  sources: {
    ros2: (sensor) => new Ros2Endpoint(sensor.id, sensor.source.kind === 'ros2' ? sensor.source.topic : ''),
  },
  actuators: {
    log: () => new LogActuator(),
    ros2: (actuator) => new Ros2Endpoint('cmd', actuator.kind === 'ros2' ? actuator.topic : ''),
  },
};
