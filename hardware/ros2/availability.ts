import type { Logger } from '../../runtime/index.js';
import { requireOptional } from '../optional-module.js';

export const ROS2_INSTALL_HINT =
  'live ROS 2 needs a sourced ROS 2 (Humble or Jazzy): `source /opt/ros/<distro>/setup.bash`, then `npm install rclnodejs` in the Kestrel folder';

/** The rclnodejs module, or an error naming what to install and source. */
export async function loadRclnodejs(logger: Logger): Promise<unknown> {
  return requireOptional<unknown>('rclnodejs', ROS2_INSTALL_HINT, logger);
}
