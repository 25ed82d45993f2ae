/**
 * Health of one component. `failed` carries a reason and a stable code, so an
 * operator sees *why* (`source.stale: no GNSS fix for 2.0 s`) and a failsafe
 * can match on the code.
 */
export type HealthState = 'starting' | 'ok' | 'degraded' | 'failed' | 'stopped';

export interface Health {
  readonly state: HealthState;
  readonly reason?: string;
  readonly code?: string;
  /** Clock time (epoch ms) of the last change of state. */
  readonly sinceMs: number;
}

export interface ComponentHealth extends Health {
  readonly component: string;
}

/** Worst first: the runtime's overall state is the worst of its components. */
const SEVERITY: Record<HealthState, number> = { failed: 4, degraded: 3, starting: 2, stopped: 1, ok: 0 };

export function worstHealth(states: readonly HealthState[]): HealthState {
  let worst: HealthState = 'ok';
  for (const s of states) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

export interface HealthReporter {
  ok(): void;
  degraded(reason: string, code?: string): void;
  failed(reason: string, code?: string): void;
  current(): Health;
}
