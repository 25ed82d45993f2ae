/**
 * Kestrel's runtime core: the message bus, the clock, component lifecycle,
 * health, logging, errors and the runtime assembly that wires a mission.
 */
export { KestrelError, formatIssues, formatPath, isKestrelError } from './errors.js';
export type { IssuePath, KestrelErrorOptions, KestrelIssue } from './errors.js';
export { SimClock, WallClock } from './clock.js';
export type { Clock, SimClockOptions, TimerHandle } from './clock.js';
export { createLogger, silentLogger } from './logger.js';
export type { LogLevel, Logger, LoggerOptions } from './logger.js';
export { BusError, MessageBus } from './bus/bus.js';
export type {
  BusOptions,
  Handler,
  HandlerErrorInfo,
  HandlerTiming,
  SubscribeOptions,
  Subscription,
  SubscriptionStats,
  TopicStats,
} from './bus/bus.js';
export { latest, queue, reliable } from './bus/policy.js';
export type { DeliveryPolicy } from './bus/policy.js';
export { defineTopic } from './bus/topic.js';
export type { Envelope, Topic } from './bus/topic.js';
export { worstHealth } from './health.js';
export type { ComponentHealth, Health, HealthReporter, HealthState } from './health.js';
export type { Component, ComponentContext } from './component.js';
export { Lifecycle, LifecycleError, orderComponents } from './lifecycle.js';
export type { LifecycleOptions } from './lifecycle.js';
export { Services, defineService } from './services.js';
export type { ServiceKey } from './services.js';
export { AssemblyError, createRuntime } from './runtime.js';
export type { Runtime, RuntimeHealth, RuntimeOptions } from './runtime.js';
export type { AssemblyContext, ComponentFactory, KestrelPlugin } from './plugin.js';
export * from './messages/index.js';
export { EnuFrame } from './geo/enu.js';
export type { Enu, Geodetic } from './geo/enu.js';
export { driveSimClock } from './sim-driver.js';
export type { DriveOptions, DriveResult } from './sim-driver.js';
export { RunRecorder } from './recorder/run-recorder.js';
export {
  LATENCY_STAGES,
  LatencyTracer,
  latencyService,
  nearestRank,
  withWorkClock,
  workClock,
} from './trace/latency.js';
export type { LatencyReport, LatencyStage, LatencyTracerOptions, Percentiles } from './trace/latency.js';
