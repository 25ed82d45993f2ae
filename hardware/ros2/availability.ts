import type { Logger } from '../../runtime/index.js';
import { OptionalModuleError, importOptional, requireOptional } from '../optional-module.js';
import { Ros2Error } from './errors.js';
import type { Rclnodejs } from './rclnodejs-api.js';

export const ROS2_INSTALL_HINT =
  'live ROS 2 needs a sourced ROS 2 (Humble or Jazzy): `source /opt/ros/<distro>/setup.bash`, then `npm install rclnodejs` in the Kestrel folder';

/** The rclnodejs module, or an error naming what to install and source. */
export async function loadRclnodejs(logger: Logger): Promise<unknown> {
  return requireOptional<unknown>('rclnodejs', ROS2_INSTALL_HINT, logger);
}

/** Where rclnodejs comes from; tests pass a fake. */
export type RclnodejsLoader = () => Promise<Rclnodejs>;

/**
 * Loads rclnodejs on first use only, so Kestrel installs and runs without ROS 2.
 * Missing (or built against no sourced ROS 2) is `ros2.unavailable` with the
 * install hint; a module without the API Kestrel uses is `ros2.bad_module`.
 */
export const loadRclnodejsApi: RclnodejsLoader = async () => {
  let mod: unknown;
  try {
    mod = await importOptional<unknown>('rclnodejs');
  } catch (error) {
    // Installed but its native part does not load: usually ROS 2 is not sourced in this shell.
    const why = error instanceof OptionalModuleError ? error.message : String(error);
    throw new Ros2Error('ros2.unavailable', `${why}. ${ROS2_INSTALL_HINT}`, { cause: error });
  }
  if (mod === undefined) throw new Ros2Error('ros2.unavailable', `rclnodejs is not installed: ${ROS2_INSTALL_HINT}`);
  // rclnodejs is CommonJS: under ESM import its API is the default export.
  const api = ((mod as { default?: unknown }).default ?? mod) as Partial<Rclnodejs>;
  if (typeof api.init !== 'function' || typeof api.createNode !== 'function' || api.QoS === undefined) {
    throw new Ros2Error(
      'ros2.bad_module',
      'the installed rclnodejs lacks init/createNode/QoS; install rclnodejs 0.x-2.x',
    );
  }
  return api as Rclnodejs;
};
