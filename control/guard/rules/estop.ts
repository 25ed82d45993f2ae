import { GuardError } from '../../errors.js';
import { ALLOW, deny, type GuardRule } from '../rule.js';

/** Who asks to release the e-stop, and with what credential. */
export interface EStopResetRequest {
  /** Operator id, e.g. `operator/alice`. */
  readonly by: string;
  readonly token?: string;
}

export interface EStopOptions {
  /**
   * Decides whether a reset is authorised. Default: none is, so a runtime
   * that wires no authoriser keeps an engaged e-stop until it restarts.
   */
  readonly authorizeReset?: (request: EStopResetRequest) => boolean;
}

export interface EStopStatus {
  readonly engaged: boolean;
  readonly cause?: string;
  readonly sinceMs?: number;
}

/**
 * A latched emergency stop. Engaging is idempotent and keeps the first cause;
 * nothing but an authorised `reset` releases it, and no rule, source or
 * failsafe can: the guard puts its rule first and lets only `stop` through.
 */
export class EStopLatch {
  private current: EStopStatus = { engaged: false };
  private readonly listeners = new Set<(status: EStopStatus) => void>();

  constructor(private readonly options: EStopOptions = {}) {}

  get engaged(): boolean {
    return this.current.engaged;
  }

  status(): EStopStatus {
    return this.current;
  }

  engage(cause: string, nowMs: number): void {
    if (this.current.engaged) return;
    this.current = { engaged: true, cause, sinceMs: nowMs };
    this.emit();
  }

  /**
   * Releases the latch.
   * @throws GuardError `guard.estop_reset_unauthorised` when the authoriser refuses (or none is set).
   */
  reset(request: EStopResetRequest, nowMs: number): void {
    const authorise = this.options.authorizeReset;
    let ok = false;
    try {
      ok = authorise !== undefined && request.by !== '' && authorise(request);
    } catch {
      // An authoriser that throws has not authorised anything.
      ok = false;
    }
    if (!ok) {
      throw new GuardError('guard.estop_reset_unauthorised', `e-stop reset by "${request.by}" is not authorised`);
    }
    if (!this.current.engaged) return;
    this.current = { engaged: false, sinceMs: nowMs };
    this.emit();
  }

  /** Calls `listener` on every change; returns the function that removes it. */
  onChange(listener: (status: EStopStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) {
      try {
        l(this.current);
      } catch {
        // A listener (telemetry, logs) must not undo or block the latch.
      }
    }
  }
}

/** While the latch is engaged, everything but `stop` is denied with `estop.engaged`. */
export function estopRule(latch: EStopLatch): GuardRule {
  return {
    id: 'estop',
    evaluate(action) {
      if (!latch.engaged || action.kind === 'stop') return ALLOW;
      const s = latch.status();
      return deny(
        'estop.engaged',
        `e-stop engaged (${s.cause ?? 'no cause given'}); only stop is allowed until reset`,
        {
          cause: s.cause,
          sinceMs: s.sinceMs,
        },
      );
    },
  };
}
