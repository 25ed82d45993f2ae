import type { LoadedMission, Mission } from '../missions/index.js';
import { MessageBus } from './bus/bus.js';
import { SimClock, WallClock, type Clock } from './clock.js';
import type { Component } from './component.js';
import { KestrelError } from './errors.js';
import { worstHealth, type ComponentHealth, type HealthState } from './health.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { eventsTopic, healthTopic } from './messages/topics.js';
import type { AssemblyContext, ComponentFactory, KestrelPlugin } from './plugin.js';
import { Services } from './services.js';
import { LatencyTracer, withWorkClock, type LatencyReport } from './trace/latency.js';

export interface RuntimeOptions {
  /** Plugins that provide components, in order: later ones override earlier ones for the same kind. */
  readonly plugins?: readonly KestrelPlugin[];
  /** Default: a SimClock when the mission has a simulation block, else the WallClock. */
  readonly clock?: Clock;
  /** Default: a root logger at the mission's logging level. */
  readonly logger?: Logger;
  /** Extra components of the embedder's own, started after the mission's. */
  readonly components?: readonly Component[];
  /**
   * Components that watch the whole run (recorders, telemetry): started before
   * everything else and stopped after it, so they see every message.
   */
  readonly observers?: readonly Component[];
  /** Per-component stop timeout, ms. Default 5000. */
  readonly stopTimeoutMs?: number;
  /**
   * Frame-to-decision latency tracing (see `LatencyTracer`). Default on; its
   * cost is two timed bus handlers and a few map entries per frame.
   */
  readonly latency?: boolean | { readonly stopwatch: () => number };
}

export interface RuntimeHealth {
  readonly state: HealthState;
  readonly components: readonly ComponentHealth[];
}

export interface Runtime {
  readonly mission: Mission;
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly services: Services;
  /** Component names in start order. */
  readonly components: readonly string[];
  start(): Promise<void>;
  /** Ordered shutdown: components stop in reverse start order, then the bus drains and closes. */
  stop(reason?: string): Promise<void>;
  health(): RuntimeHealth;
  /** Resolves with the stop reason once the runtime has stopped. */
  readonly stopped: Promise<string>;
  /** Frame-to-decision latency so far; undefined when tracing is off. */
  latency(): LatencyReport | undefined;
  /** Starts a fresh latency window (for example after warm-up); later `latency()` reports cover only what follows. */
  resetLatency(): void;
}

export class AssemblyError extends KestrelError {}

/**
 * Builds a runtime from a mission: one component per sensor, pipeline,
 * estimator, behavior, guard, actuator and telemetry, each from the plugin
 * that provides its kind.
 *
 * @example
 * const loaded = await loadMissionFile('missions/examples/firefighting-drone.yaml');
 * const runtime = createRuntime(loaded, { plugins: builtinPlugins() });
 * await runtime.start();
 * process.once('SIGINT', () => void runtime.stop('SIGINT'));
 */
export function createRuntime(input: LoadedMission | Mission, options: RuntimeOptions = {}): Runtime {
  const loaded: LoadedMission =
    'mission' in input && 'baseDir' in input ? input : { mission: input, file: undefined, baseDir: process.cwd() };
  const mission = loaded.mission;
  const clock = options.clock ?? (mission.simulation === undefined ? new WallClock() : new SimClock());
  const logger =
    options.logger ??
    createLogger({
      level: mission.logging.level,
      ...(mission.logging.format === 'auto' ? {} : { format: mission.logging.format }),
    });
  const rootLog = logger.child({ mission: mission.mission.id, robot: mission.platform.id });
  const assembly: AssemblyContext = { mission, baseDir: loaded.baseDir, clock, logger: rootLog };
  const tracer =
    options.latency === false
      ? undefined
      : new LatencyTracer(typeof options.latency === 'object' ? { stopwatch: options.latency.stopwatch } : {});

  const bus = new MessageBus({
    clock,
    onHandlerError: ({ topic, subscriber, error }) =>
      rootLog.error({ err: error, topic, subscriber }, 'message handler failed'),
    onBacklog: (s) =>
      rootLog.warn({ topic: s.topic, subscriber: s.subscriber, depth: s.depth }, 'reliable queue is backing up'),
    ...(tracer === undefined ? {} : { handlerTiming: tracer.handlerTiming }),
  });
  const services = new Services();
  // Under a SimClock simulated time stands still while a model runs: pipelines time their stages with the work stopwatch.
  const timeWork =
    tracer !== undefined && clock.kind === 'sim' ? (c: Component) => withWorkClock(c, () => tracer.now()) : undefined;
  const components = [
    ...(tracer === undefined ? [] : [tracer]),
    ...(options.observers ?? []),
    ...assemble(mission, options.plugins ?? [], assembly, timeWork),
    ...(options.components ?? []),
  ];
  const lifecycle = new Lifecycle(components, {
    bus,
    clock,
    logger: rootLog,
    services,
    ...(options.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: options.stopTimeoutMs }),
    onHealthChange: (h) => {
      if (!bus.isClosed) bus.publish(healthTopic, h);
    },
  });

  let resolveStopped: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<void> | undefined;

  const runtime: Runtime = {
    mission,
    bus,
    clock,
    logger: rootLog,
    services,
    components: lifecycle.names,
    stopped,
    async start() {
      rootLog.info({ components: lifecycle.names, clock: clock.kind }, 'starting');
      await lifecycle.start();
      bus.publish(eventsTopic, {
        kind: 'runtime.started',
        severity: 'info',
        message: `mission ${mission.mission.id} started`,
      });
      rootLog.info('running');
    },
    stop(reason = 'stop requested') {
      stopping ??= (async () => {
        rootLog.info({ reason }, 'stopping');
        if (!bus.isClosed) bus.publish(eventsTopic, { kind: 'runtime.stopping', severity: 'info', message: reason });
        await lifecycle.stop(reason);
        await bus.close();
        rootLog.info('stopped');
        resolveStopped(reason);
      })();
      return stopping;
    },
    health() {
      const list = lifecycle.health();
      return { state: worstHealth(list.map((c) => c.state)), components: list };
    },
    latency() {
      return tracer?.report();
    },
    resetLatency() {
      tracer?.restart();
    },
  };
  return runtime;
}

/** Picks a factory for every part of the mission; a part no plugin provides is an error naming it. */
function assemble(
  mission: Mission,
  plugins: readonly KestrelPlugin[],
  ctx: AssemblyContext,
  timeWork?: (c: Component) => Component,
): Component[] {
  const out: Component[] = [];
  const add = (made: Component | readonly Component[], wrap?: (c: Component) => Component): void => {
    const list = Array.isArray(made) ? (made as readonly Component[]) : [made as Component];
    for (const c of list) out.push(wrap === undefined ? c : wrap(c));
  };
  const keyed = <S>(slot: keyof KestrelPlugin, kind: string): ComponentFactory<S> | undefined => {
    let found: ComponentFactory<S> | undefined;
    for (const p of plugins) {
      const table = p[slot] as Readonly<Record<string, ComponentFactory<S>>> | undefined;
      const f = table?.[kind];
      if (f !== undefined) found = f;
    }
    return found;
  };
  const single = <S>(slot: keyof KestrelPlugin): ComponentFactory<S> | undefined => {
    let found: ComponentFactory<S> | undefined;
    for (const p of plugins) {
      const f = p[slot] as ComponentFactory<S> | undefined;
      if (f !== undefined) found = f;
    }
    return found;
  };
  const missing = (what: string, path: string): never => {
    const names = plugins.map((p) => p.name).join(', ') || 'none';
    throw new AssemblyError('runtime.no_plugin', `${path}: no plugin provides ${what} (plugins: ${names})`);
  };

  // Telemetry first: it starts before and stops after everything it reports on.
  const telemetry = single<Mission['telemetry']>('telemetry');
  if (telemetry !== undefined) add(telemetry(mission.telemetry, ctx));
  if (mission.simulation !== undefined) {
    const f = single<NonNullable<Mission['simulation']>>('simulation') ?? missing('the simulator', 'simulation');
    add(f(mission.simulation, ctx));
  }
  mission.sensors.forEach((sensor, i) => {
    const f =
      keyed<Mission['sensors'][number]>('sources', sensor.source.kind) ??
      missing(`sensor source "${sensor.source.kind}"`, `sensors[${i}].source.kind`);
    add(f(sensor, ctx));
  });
  const estimator = single<Mission>('estimator');
  if (estimator !== undefined) add(estimator(mission, ctx));
  mission.perception.pipelines.forEach((pipeline, i) => {
    const f =
      single<Mission['perception']['pipelines'][number]>('pipeline') ??
      missing('a perception pipeline', `perception.pipelines[${i}]`);
    add(f(pipeline, ctx), timeWork);
  });
  const behavior =
    keyed<Mission['behavior']>('behaviors', mission.behavior.kind) ??
    missing(`behavior "${mission.behavior.kind}"`, 'behavior.kind');
  add(behavior(mission.behavior, ctx));
  const guard = single<Mission['guardrails']>('guard') ?? missing('the guard', 'guardrails');
  add(guard(mission.guardrails, ctx));
  const actuator = mission.actuator ?? { kind: mission.simulation === undefined ? ('log' as const) : ('sim' as const) };
  const act =
    keyed<NonNullable<Mission['actuator']>>('actuators', actuator.kind) ??
    missing(`actuator "${actuator.kind}"`, 'actuator.kind');
  add(act(actuator, ctx));
  for (const p of plugins) if (p.components !== undefined) add(p.components(ctx));
  return out;
}
