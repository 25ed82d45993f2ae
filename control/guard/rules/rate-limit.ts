import type { Action } from '../../../runtime/index.js';
import { GuardError } from '../../errors.js';
import { ALLOW, deny, type GuardRule } from '../rule.js';

export interface RateLimitOptions {
  /** Most approved actions of a kind per second, e.g. `{ payload: 0.2 }`. */
  readonly perSecond: Partial<Record<Action['kind'], number>>;
}

/**
 * Rate limits per action kind, as a minimum interval between approved
 * actions of that kind (`rate.limited`). Only approved actions count (the
 * interval starts in `commit`), so a proposal some later rule denied does not
 * use up the slot.
 */
export function rateLimitRule(options: RateLimitOptions): GuardRule {
  const minIntervalMs = new Map<string, number>();
  for (const [kind, rate] of Object.entries(options.perSecond)) {
    if (!(rate > 0 && Number.isFinite(rate))) {
      throw new GuardError(
        'guard.config_invalid',
        `rate limit for ${kind} must be a positive number per second, got ${rate}`,
      );
    }
    minIntervalMs.set(kind, 1000 / rate);
  }
  const lastMs = new Map<string, number>();
  return {
    id: 'rate-limit',
    evaluate(action, _state, nowMs) {
      const interval = minIntervalMs.get(action.kind);
      if (interval === undefined) return ALLOW;
      const last = lastMs.get(action.kind);
      if (last === undefined || nowMs - last >= interval) return ALLOW;
      return deny(
        'rate.limited',
        `${action.kind} allowed once per ${Math.round(interval)} ms; last one ${Math.round(nowMs - last)} ms ago`,
        {
          kind: action.kind,
          minIntervalMs: interval,
          sinceLastMs: nowMs - last,
        },
      );
    },
    commit(action, _proposal, nowMs) {
      if (minIntervalMs.has(action.kind)) lastMs.set(action.kind, nowMs);
    },
  };
}
