import type { KestrelPlugin } from '../runtime/index.js';
import { TelemetryComponent } from './component.js';

/**
 * Provides the runtime's telemetry component from the mission's `telemetry`
 * block. The runtime assembles telemetry first, so it starts before and stops
 * after everything it reports on.
 *
 * @example
 * const runtime = createRuntime(loaded, { plugins: [...builtinPlugins(), telemetryPlugin] });
 */
export const telemetryPlugin: KestrelPlugin = {
  name: 'telemetry',
  telemetry: (spec, ctx) => new TelemetryComponent({ spec, robotId: ctx.mission.platform.id, baseDir: ctx.baseDir }),
};
