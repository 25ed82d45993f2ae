/** Adapters to the world outside the process: ROS 2, cameras, actuators. */
export { hardwarePlugin } from './plugin.js';
export { LogActuator } from './log-actuator.js';
export { importOptional, requireOptional, OptionalModuleError } from './optional-module.js';
export { loadRclnodejs, ROS2_INSTALL_HINT } from './ros2/availability.js';
