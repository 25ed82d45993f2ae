/**
 * Kestrel SDK: everything an integrator needs to embed the runtime.
 *
 * @example
 * import { loadMissionFile, createRuntime } from 'kestrel';
 * const runtime = createRuntime(await loadMissionFile('mission.yaml'));
 * await runtime.start();
 * process.once('SIGINT', () => void runtime.stop('SIGINT'));
 */
import { behaviorsPlugin, type LoadedMission, type Mission } from './missions/index.js';
import { controlPlugin } from './control/index.js';
import { hardwarePlugin } from './hardware/index.js';
import { estimatorPlugin, perceptionPlugin } from './perception/index.js';
import { fieldloopPlugin } from './fieldloop/index.js';
import {
  createRuntime as createRuntimeCore,
  type KestrelPlugin,
  type Runtime,
  type RuntimeOptions,
} from './runtime/index.js';
import { simPlugin } from './sim/index.js';
import { taskingPlugin } from './tasking/index.js';
import { telemetryPlugin } from './telemetry/index.js';

export * from './runtime/index.js';
export * from './missions/index.js';
export {
  TaskingPlanner,
  loadTaskingModel,
  planSchema,
  PLAN_JSON_SCHEMA,
  type Plan,
  type TaskingAnswer,
} from './tasking/index.js';
export { loadLanguageModel, loadLanguageManifest } from './language/index.js';
export type { LanguageModel } from './language/index.js';
export {
  fieldloopPlugin,
  CaptureStore,
  ModelRegistry,
  signManifestFile,
  verifyManifestFile,
  runDataExport,
  runDataImport,
  runPromote,
  runRollback,
  ModelTrustError,
  PromotionRefusedError,
} from './fieldloop/index.js';
export type { PromotionComparison, SignatureEnvelope } from './fieldloop/index.js';

/** Kestrel's own parts as plugins, in override order. */
export function builtinPlugins(): KestrelPlugin[] {
  return [
    hardwarePlugin,
    simPlugin,
    estimatorPlugin,
    perceptionPlugin,
    behaviorsPlugin,
    controlPlugin,
    telemetryPlugin,
    taskingPlugin,
    fieldloopPlugin,
  ];
}

/**
 * Builds a runtime for a mission with Kestrel's built-in plugins, then the
 * embedder's (`options.plugins`), which may add kinds or replace built-in ones.
 */
export function createRuntime(mission: LoadedMission | Mission, options: RuntimeOptions = {}): Runtime {
  return createRuntimeCore(mission, { ...options, plugins: [...builtinPlugins(), ...(options.plugins ?? [])] });
}
