import type { Logger } from '../runtime/index.js';
import { KestrelError } from '../runtime/index.js';

export class OptionalModuleError extends KestrelError {}

/**
 * Loads an optional native package (rclnodejs, @tensorflow/tfjs-node-gpu) only
 * when a mission needs it, so a machine without ROS 2 or CUDA still installs
 * and runs everything else. Returns undefined when it is missing; the caller
 * logs which fallback it takes.
 */
export async function importOptional<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if (isModuleMissing(error)) return undefined;
    throw new OptionalModuleError(
      'hardware.optional_load_failed',
      `${name} is installed but failed to load: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** Like importOptional, but a missing package is an error that says what to install. */
export async function requireOptional<T>(name: string, howToInstall: string, logger: Logger): Promise<T> {
  const mod = await importOptional<T>(name);
  if (mod === undefined) {
    logger.error({ package: name }, `${name} is not installed: ${howToInstall}`);
    throw new OptionalModuleError('hardware.optional_missing', `${name} is not installed: ${howToInstall}`);
  }
  return mod;
}

function isModuleMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
