import type { MessageBus } from './bus/bus.js';
import type { Clock } from './clock.js';
import type { HealthReporter } from './health.js';
import type { Logger } from './logger.js';
import type { Services } from './services.js';

/** What a component gets from the runtime. */
export interface ComponentContext {
  readonly bus: MessageBus;
  readonly clock: Clock;
  /** A child of the runtime's logger bound to `{ component: name }`. */
  readonly logger: Logger;
  readonly health: HealthReporter;
  /** Shared objects components hand each other (the simulated world, the world model). */
  readonly services: Services;
  /** Aborted when the runtime begins to stop; pass it to long-running work. */
  readonly signal: AbortSignal;
}

/**
 * A unit of the runtime with a lifecycle: configure (check config and claim
 * resources; nothing moves yet), start (begin producing or consuming), stop
 * (release everything; the runtime waits for it, within a timeout).
 *
 * @example
 * const heartbeat: Component = {
 *   name: 'heartbeat',
 *   start(ctx) {
 *     const t = ctx.clock.setInterval(() => ctx.bus.publish(beat, { ok: true }), 1000);
 *     ctx.signal.addEventListener('abort', () => t.cancel());
 *   },
 *   stop() {},
 * };
 */
export interface Component {
  readonly name: string;
  /** Components that must start before this one, and stop after it. */
  readonly dependsOn?: readonly string[];
  /** Flushing work (telemetry) gets more time to stop than the default. */
  readonly stopTimeoutMs?: number;
  configure?(ctx: ComponentContext): void | Promise<void>;
  start(ctx: ComponentContext): void | Promise<void>;
  stop(reason: string): void | Promise<void>;
}
