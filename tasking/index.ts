/**
 * Language tasking: an operator's words become a structured plan that a
 * mission-tuned language model writes under a schema, that resolves only
 * against names the mission defines, and that the guard judges before it can
 * take effect.
 */
export { TaskingError } from './errors.js';
export {
  PAYLOAD_POLICIES,
  PLAN_JSON_SCHEMA,
  PLAN_KEYS,
  PLAN_TARGET_CLASSES,
  canonicalPlanText,
  parsePlanText,
  planSchema,
} from './plan.js';
export type { Plan, PlanParse } from './plan.js';
export { ZoneIndex, normaliseZoneName } from './zones.js';
export { admittedPayload, type PayloadAdmission, type PayloadPolicy } from './payload-cues.js';
export { groundedPlanSchema, mayNamePlace, spokenIntegers, spokenQuantities, spokenSpans } from './grounding.js';
export { namedZones, placeForZone, zonesInsidePlaces } from './zone-mentions.js';
export { overrideAttempt } from './override.js';
export { placeOf } from './place-words.js';
export type { ResolvedZone, ZoneLookup } from './zones.js';
export {
  DEFAULT_TASKING_VOCABULARY,
  NAMED_BEHAVIORS,
  extendVocabulary,
  holdsDropsBack,
  speaksOfPayload,
  spokenBehaviors,
  spokenTargets,
} from './vocabulary.js';
export type { NamedBehavior, TargetClass, TaskingVocabulary, VocabularyExtension } from './vocabulary.js';
export { compilePlan } from './compile.js';
export type { CompiledPlan, PlanRejection, PlanStep } from './compile.js';
export { dryRunPlan } from './dry-run.js';
export type { DryRunResult, DryRunStart, StepVerdict } from './dry-run.js';
export { TaskingPlanner, homeStart } from './planner.js';
export type { PlanGenerator, TaskingAnswer, TaskingLatency, TaskingPlannerOptions, TaskingStatus } from './planner.js';
export { TaskingComponent, PLAN_CONFIRM_TTL_MS } from './component.js';
export type { TaskingComponentOptions } from './component.js';
export { evaluateTasking, readTaskingExamples } from './evaluate.js';
export type { TaskingEvalReport, TaskingExample } from './evaluate.js';
export { loadTaskingModel, manifestFor } from './model.js';
export { taskingPlugin } from './plugin.js';
