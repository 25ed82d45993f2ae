import type { MessageBus } from './bus/bus.js';
import type { Clock } from './clock.js';
import type { Component, ComponentContext } from './component.js';
import { KestrelError } from './errors.js';
import type { ComponentHealth, Health, HealthReporter, HealthState } from './health.js';
import type { Logger } from './logger.js';
import type { Services } from './services.js';

export class LifecycleError extends KestrelError {}

export interface LifecycleOptions {
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly services: Services;
  /** How long one component may take to stop before the runtime moves on (ms). Default 5000. */
  readonly stopTimeoutMs?: number;
  readonly onHealthChange?: (health: ComponentHealth) => void;
}

interface Slot {
  readonly component: Component;
  readonly ctx: ComponentContext;
  readonly abort: AbortController;
  health: Health;
  started: boolean;
}

/**
 * Orders components so that each starts after what it depends on (ties keep
 * registration order), starts them in that order and stops them in reverse,
 * so producers outlive their consumers' shutdown and telemetry flushes last.
 */
export function orderComponents(components: readonly Component[]): Component[] {
  const byName = new Map<string, Component>();
  for (const c of components) {
    if (byName.has(c.name))
      throw new LifecycleError('runtime.duplicate_component', `two components are named "${c.name}"`);
    byName.set(c.name, c);
  }
  const ordered: Component[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: Component, trail: readonly string[]): void => {
    const s = state.get(c.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new LifecycleError(
        'runtime.dependency_cycle',
        `components depend on each other in a cycle: ${[...trail, c.name].join(' -> ')}`,
      );
    }
    state.set(c.name, 'visiting');
    for (const dep of c.dependsOn ?? []) {
      const d = byName.get(dep);
      if (d === undefined) {
        throw new LifecycleError(
          'runtime.missing_dependency',
          `component "${c.name}" depends on "${dep}", which is not in this runtime`,
        );
      }
      visit(d, [...trail, c.name]);
    }
    state.set(c.name, 'done');
    ordered.push(c);
  };
  for (const c of components) visit(c, []);
  return ordered;
}

export class Lifecycle {
  private readonly slots: Slot[];
  private phase: 'idle' | 'configured' | 'running' | 'stopping' | 'stopped' = 'idle';

  constructor(
    components: readonly Component[],
    private readonly options: LifecycleOptions,
  ) {
    this.slots = orderComponents(components).map((component) => this.slot(component));
  }

  get names(): string[] {
    return this.slots.map((s) => s.component.name);
  }

  health(): ComponentHealth[] {
    return this.slots.map((s) => ({ component: s.component.name, ...s.health }));
  }

  async configure(): Promise<void> {
    if (this.phase !== 'idle') throw new LifecycleError('runtime.bad_state', `cannot configure while ${this.phase}`);
    for (const s of this.slots) {
      try {
        await s.component.configure?.(s.ctx);
      } catch (error) {
        throw wrap(error, 'runtime.configure_failed', `component "${s.component.name}" failed to configure`);
      }
    }
    this.phase = 'configured';
  }

  /** Starts in dependency order. If one fails, the ones already started are stopped in reverse, then it throws. */
  async start(): Promise<void> {
    if (this.phase === 'idle') await this.configure();
    if (this.phase !== 'configured') throw new LifecycleError('runtime.bad_state', `cannot start while ${this.phase}`);
    this.phase = 'running';
    for (const s of this.slots) {
      try {
        await s.component.start(s.ctx);
      } catch (error) {
        s.ctx.health.failed(error instanceof Error ? error.message : String(error), 'runtime.start_failed');
        await this.stop(`start of "${s.component.name}" failed`);
        throw wrap(error, 'runtime.start_failed', `component "${s.component.name}" failed to start`);
      }
      if (this.stopRequested()) {
        // stop() ran while this start was awaited (Ctrl-C during a slow model load) and skipped this
        // component as not yet started: stop it here, and start nothing after it.
        await this.stopSlot(s, 'stopped while starting');
        throw new LifecycleError(
          'runtime.start_aborted',
          `the runtime was stopped while component "${s.component.name}" was starting`,
        );
      }
      s.started = true;
      if (s.health.state === 'starting') s.ctx.health.ok();
    }
  }

  /** Stops in reverse order; each component gets its stop timeout, and a failure does not stop the others. */
  async stop(reason: string): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    this.phase = 'stopping';
    for (const s of this.slots) s.abort.abort(reason);
    for (const s of [...this.slots].reverse()) {
      if (s.started) await this.stopSlot(s, reason);
    }
    this.phase = 'stopped';
  }

  /** A method, not an inline test, because the type checker does not see `phase` change across an await. */
  private stopRequested(): boolean {
    return this.phase === 'stopping' || this.phase === 'stopped';
  }

  private async stopSlot(s: Slot, reason: string): Promise<void> {
    const timeoutMs = s.component.stopTimeoutMs ?? this.options.stopTimeoutMs ?? 5000;
    const log = s.ctx.logger;
    try {
      const outcome = await withTimeout(Promise.resolve(s.component.stop(reason)), timeoutMs);
      if (outcome === 'timeout') log.warn({ timeoutMs }, 'component did not stop in time; moving on');
    } catch (error) {
      log.error({ err: error }, 'component failed while stopping');
    }
    s.started = false;
    this.setHealth(s, 'stopped', reason);
  }

  private slot(component: Component): Slot {
    const abort = new AbortController();
    const logger = this.options.logger.child({ component: component.name });
    const slot: Slot = {
      component,
      abort,
      started: false,
      health: { state: 'starting', sinceMs: this.options.clock.nowMs() },
      ctx: undefined as unknown as ComponentContext,
    };
    const reporter: HealthReporter = {
      ok: () => this.setHealth(slot, 'ok'),
      degraded: (reason, code) => this.setHealth(slot, 'degraded', reason, code),
      failed: (reason, code) => this.setHealth(slot, 'failed', reason, code),
      current: () => slot.health,
    };
    (slot as { ctx: ComponentContext }).ctx = {
      bus: this.options.bus,
      clock: this.options.clock,
      logger,
      health: reporter,
      services: this.options.services,
      signal: abort.signal,
    };
    return slot;
  }

  private setHealth(slot: Slot, state: HealthState, reason?: string, code?: string): void {
    const prev = slot.health;
    if (prev.state === state && prev.reason === reason && prev.code === code) return;
    slot.health = {
      state,
      sinceMs: this.options.clock.nowMs(),
      ...(reason === undefined ? {} : { reason }),
      ...(code === undefined ? {} : { code }),
    };
    const log = slot.ctx.logger;
    if (state === 'failed') log.error({ code, reason }, 'component failed');
    else if (state === 'degraded') log.warn({ code, reason }, 'component degraded');
    else log.debug({ state }, 'component health');
    this.options.onHealthChange?.({ component: slot.component.name, ...slot.health });
  }
}

function wrap(error: unknown, code: string, message: string): KestrelError {
  if (error instanceof KestrelError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new LifecycleError(code, `${message}: ${detail}`, { cause: error });
}

async function withTimeout(work: Promise<unknown>, timeoutMs: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  // Real time on purpose: a stop timeout guards against a hung component even under a simulated clock.
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([work.then(() => 'done' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
