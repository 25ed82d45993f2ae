/**
 * Mission files: the schema an operator writes against, its loader with
 * precise error locations, and its JSON Schema for editors.
 */
export { loadMissionFile, parseMission } from './load.js';
export type { LoadedMission, ParseOptions } from './load.js';
export { MissionError } from './mission-error.js';
export type { MissionIssue } from './mission-error.js';
export { renderIssue } from './issues.js';
export { missionJsonSchema } from './json-schema.js';
export { MISSION_API_VERSION, missionSchema } from './schema/mission.js';
export type { Mission, MissionInput } from './schema/mission.js';
export type { Platform } from './schema/platform.js';
export type { Sensor, SensorSource, SensorType } from './schema/sensors.js';
export type { ModelEntry } from './schema/models.js';
export type { PerceptionConfig, Pipeline } from './schema/perception.js';
export type { ActionKind, FailsafeAction, Guardrails } from './schema/guardrails.js';
export { actionKindSchema } from './schema/guardrails.js';
export type { Behavior } from './schema/behavior.js';
export type { EstimatorConfig } from './schema/estimator.js';
export { FUSE_FIELDS } from './schema/estimator.js';
export type { OperatorCommandKind, Telemetry, TelemetryOperator } from './schema/telemetry.js';
export { operatorCommandKindSchema } from './schema/telemetry.js';
export type { Simulation } from './schema/simulation.js';
export type { Zone } from './schema/zones.js';
export type { Tasking } from './schema/tasking.js';
export type { ModelTrust, TrustedSigner } from './schema/model-trust.js';
export type { Capture, CaptureTriggers } from './schema/capture.js';
export type { Actuator } from './schema/actuator.js';
export type { Origin } from './schema/origin.js';
export { openRing, pointSchema, polygonSchema } from './schema/geometry.js';
export type { GeoPoint, LocalPoint, Point, Polygon } from './schema/geometry.js';
export { behaviorsPlugin } from './behaviors/plugin.js';
export { BehaviorComponent } from './behaviors/behavior-component.js';
export type { BehaviorInput, BehaviorLogic, BehaviorOutput } from './behaviors/logic.js';
export { lawnmower, zoneMiddle } from './behaviors/lawnmower.js';
export { missionFrame, polygonToLocal } from './behaviors/local-points.js';
