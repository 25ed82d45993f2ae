import type { Mission } from '../missions/index.js';
import type { Clock } from './clock.js';
import type { Component } from './component.js';
import type { Logger } from './logger.js';

/** What a factory knows when it builds components (nothing runs yet). */
export interface AssemblyContext {
  readonly mission: Mission;
  /** Directory relative paths in the mission are resolved against. */
  readonly baseDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type ComponentFactory<Spec> = (spec: Spec, ctx: AssemblyContext) => Component | readonly Component[];

type Sensors = Mission['sensors'][number];
type Pipelines = Mission['perception']['pipelines'][number];

/**
 * A plugin contributes factories keyed by the `kind` the mission names.
 * Kestrel's own parts (simulator, perception, guard, telemetry, ROS 2) are
 * plugins too; an integrator's plugin can add a sensor source, a behavior or
 * an actuator, or replace a built-in one (later plugins win).
 *
 * @example
 * const acme: KestrelPlugin = {
 *   name: 'acme',
 *   sources: { 'acme-radar': (sensor, ctx) => new RadarSource(sensor, ctx.logger) },
 * };
 * const runtime = createRuntime(loaded, { plugins: [...builtinPlugins(), acme] });
 */
export interface KestrelPlugin {
  readonly name: string;
  /** Simulator world, when the mission has a `simulation` block. */
  readonly simulation?: ComponentFactory<NonNullable<Mission['simulation']>>;
  /** Sensor sources by `sensors[].source.kind`. */
  readonly sources?: Readonly<Record<string, ComponentFactory<Sensors>>>;
  /** The perception pipeline (one component per `perception.pipelines[]`); it picks the model's backend itself. */
  readonly pipeline?: ComponentFactory<Pipelines>;
  /** The state estimator (one per runtime). */
  readonly estimator?: ComponentFactory<Mission>;
  /** Behaviors by `behavior.kind`. */
  readonly behaviors?: Readonly<Record<string, ComponentFactory<Mission['behavior']>>>;
  /** The guard (one per runtime). */
  readonly guard?: ComponentFactory<Mission['guardrails']>;
  /** Actuators by `actuator.kind`. */
  readonly actuators?: Readonly<Record<string, ComponentFactory<NonNullable<Mission['actuator']>>>>;
  /** Telemetry (one per runtime). */
  readonly telemetry?: ComponentFactory<Mission['telemetry']>;
  /** Anything else the plugin runs alongside. */
  readonly components?: (ctx: AssemblyContext) => readonly Component[];
}
