/**
 * Guarded actions: every command passes one guard that applies the mission's
 * guardrails, fails closed and records why; failsafes in the spirit of PX4.
 */
export { createGuard, registerGuardRule } from './guard/guard.js';
export type { Guard, GuardOptions, GuardRuleContext, GuardRuleFactory } from './guard/guard.js';
export { GuardPipeline, PIPELINE_ID } from './guard/pipeline.js';
export { ALLOW, STOP, ageMs, deny, isMotion, modify } from './guard/rule.js';
export type { Evidence, GuardProposal, GuardRule, GuardState, RuleResult } from './guard/rule.js';
export { findActionProblem } from './guard/action-check.js';
export type { ActionProblem } from './guard/action-check.js';
export { PathSampler, approachScale, scaleVelocity, tightens } from './guard/motion.js';
export type { ApproachOptions } from './guard/motion.js';
export { prepareMissionPolygon } from './guard/zones.js';
export { actionSanityRule } from './guard/rules/action-sanity.js';
export { altitudeBandRule } from './guard/rules/altitude-band.js';
export { batteryReserveRule } from './guard/rules/battery-reserve.js';
export { commandExpiryRule } from './guard/rules/command-expiry.js';
export { MemoryConfirmationStore, confirmationRule } from './guard/rules/confirmation.js';
export type { ConfirmationGrant, ConfirmationStore } from './guard/rules/confirmation.js';
export { EStopLatch, estopRule } from './guard/rules/estop.js';
export type { EStopOptions, EStopResetRequest, EStopStatus } from './guard/rules/estop.js';
export { geofenceRule } from './guard/rules/geofence.js';
export { noGoRule } from './guard/rules/no-go.js';
export type { NoGoZone } from './guard/rules/no-go.js';
export { footprintBox, obstacleRule } from './guard/rules/obstacle.js';
export type { ObstacleOptions } from './guard/rules/obstacle.js';
export { poseFreshRule } from './guard/rules/pose-fresh.js';
export { rateLimitRule } from './guard/rules/rate-limit.js';
export { speedLimitsRule } from './guard/rules/speed-limits.js';
export { standoffRule } from './guard/rules/standoff.js';
export type { StandoffSpec } from './guard/rules/standoff.js';
export { PreparedPolygon } from './geometry/polygon.js';
export { FailsafeMonitor } from './failsafe/monitor.js';
export type { ActiveFailsafe, FailsafeTransition, FailsafeUpdate } from './failsafe/monitor.js';
export { ACTION_STRENGTH, failsafeTable } from './failsafe/table.js';
export type { ClearCondition, FailsafeCause, FailsafeRow } from './failsafe/table.js';
export { failsafeLockRule } from './failsafe/lock.js';
export { createGuardComponent, guardService } from './guard-component.js';
export type { GuardComponentOptions } from './guard-component.js';
export { controlPlugin } from './plugin.js';
export { estopTopic } from './topics.js';
export { OperatorBridge, CONFIRMATION_TTL_MS } from './operator-bridge.js';
export type { EStopCommand } from './topics.js';
export { GuardError } from './errors.js';
