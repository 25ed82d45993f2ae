import {
  MessageBus,
  Services,
  silentLogger,
  type Clock,
  type ComponentContext,
  type Health,
  type HealthReporter,
} from '../../runtime/index.js';
import type { Telemetry } from '../../missions/index.js';

/** A component context on a real bus, with a health reporter that remembers every state. */
export function componentContext(clock: Clock): { ctx: ComponentContext; bus: MessageBus; healths: Health[] } {
  const bus = new MessageBus({ clock });
  const healths: Health[] = [];
  let current: Health = { state: 'starting', sinceMs: clock.nowMs() };
  const set = (state: Health['state'], reason?: string, code?: string): void => {
    current = {
      state,
      sinceMs: clock.nowMs(),
      ...(reason === undefined ? {} : { reason }),
      ...(code === undefined ? {} : { code }),
    };
    healths.push(current);
  };
  const health = {
    ok: () => set('ok'),
    degraded: (reason: string, code?: string) => set('degraded', reason, code),
    failed: (reason: string, code?: string) => set('failed', reason, code),
    current: () => current,
  } satisfies HealthReporter;
  const ctx: ComponentContext = {
    bus,
    clock,
    logger: silentLogger(),
    health,
    services: new Services(),
    signal: new AbortController().signal,
  };
  return { ctx, bus, healths };
}

/** The mission's telemetry block with defaults filled, plus overrides. */
export function telemetrySpec(overrides: Partial<Telemetry> = {}): Telemetry {
  return {
    topicPrefix: 'kestrel',
    stateRateHz: 5,
    qos: { records: 1, state: 0 },
    buffer: { dir: '.kestrel/telemetry', maxMb: 256 },
    ...overrides,
  };
}
