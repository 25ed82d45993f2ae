/** A ComponentContext on a SimClock for driving one component by hand. */
import { MessageBus, Services, SimClock, silentLogger } from '../../runtime/index.js';
import type { ComponentContext, Health, HealthReporter } from '../../runtime/index.js';

export interface TestContext extends ComponentContext {
  readonly clock: SimClock;
  readonly healthLog: Health[];
}

export function testContext(services = new Services()): TestContext {
  const clock = new SimClock();
  const healthLog: Health[] = [];
  let current: Health = { state: 'starting', sinceMs: clock.nowMs() };
  const set = (h: Omit<Health, 'sinceMs'>): void => {
    current = { ...h, sinceMs: clock.nowMs() };
    healthLog.push(current);
  };
  const health: HealthReporter = {
    ok: () => set({ state: 'ok' }),
    degraded: (reason, code) => set({ state: 'degraded', reason, ...(code === undefined ? {} : { code }) }),
    failed: (reason, code) => set({ state: 'failed', reason, ...(code === undefined ? {} : { code }) }),
    current: () => current,
  };
  return {
    bus: new MessageBus({ clock }),
    clock,
    logger: silentLogger(),
    health,
    services,
    signal: new AbortController().signal,
    healthLog,
  };
}
