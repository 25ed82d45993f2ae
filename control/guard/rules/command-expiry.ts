import { ALLOW, deny, type GuardRule } from '../rule.js';

export interface CommandExpiryOptions {
  /** A proposal older than this when decided is never executed, ms. Default 1000. */
  readonly ttlMs?: number;
}

/**
 * Commands expire: a proposal that sat in a queue (a stalled bus, a slow
 * planner) describes a world that has moved on. Proposals stamped in the
 * future by more than the TTL are refused too, since their stamp cannot be trusted.
 */
export function commandExpiryRule(options: CommandExpiryOptions = {}): GuardRule {
  const ttlMs = options.ttlMs ?? 1000;
  return {
    id: 'command-expiry',
    evaluate(_action, _state, nowMs, proposal) {
      const age = nowMs - proposal.proposedAtMs;
      if (age <= ttlMs && age >= -ttlMs) return ALLOW;
      return deny(
        'proposal.expired',
        Number.isFinite(age)
          ? `proposal is ${Math.round(age)} ms old; commands live ${ttlMs} ms`
          : `proposal has no usable time stamp (${String(proposal.proposedAtMs)})`,
        { ageMs: Number.isFinite(age) ? age : String(age), ttlMs },
      );
    },
  };
}
