import { KestrelError } from '../../runtime/index.js';

/** Live ROS 2 errors. Codes are API: `ros2.unavailable`, `ros2.unsupported_type`, `ros2.bad_module`, `ros2.not_configured`. */
export class Ros2Error extends KestrelError {}
