import type { Action } from '../../../runtime/index.js';
import { ALLOW, deny, type GuardProposal, type GuardRule } from '../rule.js';

/**
 * Where operator confirmations live. The telemetry command channel (a later
 * issue) will fill one; a confirmation is single-use: `accepts` looks,
 * `consume` spends it once the action is approved.
 */
export interface ConfirmationStore {
  /** Whether `token` confirms this proposal now. Must not spend the token. */
  accepts(token: string, proposal: GuardProposal, nowMs: number): boolean;
  /** Spends `token`; called only when the confirmed action was approved. */
  consume(token: string, nowMs: number): void;
}

export interface ConfirmationGrant {
  /** The kind of action the operator confirmed. */
  readonly kind: Action['kind'];
  /** Optional: only this proposal. */
  readonly proposalId?: string;
  readonly expiresAtMs: number;
}

/** An in-memory store: grants keyed by token, each for one kind (and optionally one proposal), until it expires. */
export class MemoryConfirmationStore implements ConfirmationStore {
  private readonly grants = new Map<string, ConfirmationGrant>();

  grant(token: string, grant: ConfirmationGrant): void {
    this.grants.set(token, grant);
  }

  accepts(token: string, proposal: GuardProposal, nowMs: number): boolean {
    const g = this.grants.get(token);
    if (g === undefined) return false;
    if (nowMs > g.expiresAtMs) {
      this.grants.delete(token);
      return false;
    }
    return g.kind === proposal.action.kind && (g.proposalId === undefined || g.proposalId === proposal.id);
  }

  consume(token: string): void {
    this.grants.delete(token);
  }

  get size(): number {
    return this.grants.size;
  }
}

export interface ConfirmationOptions {
  /** Kinds that need a confirmation (the mission's `requireConfirmation`). */
  readonly kinds: readonly Action['kind'][];
  readonly store: ConfirmationStore;
}

/**
 * Actions of the listed kinds are denied with `confirmation.required` unless
 * the proposal carries a token the store accepts. Switching a payload off
 * never needs one: confirmation guards the release, not its end.
 */
export function confirmationRule(options: ConfirmationOptions): GuardRule {
  const kinds = new Set(options.kinds);
  const store = options.store;
  return {
    id: 'confirmation',
    evaluate(action, _state, nowMs, proposal) {
      if (!kinds.has(action.kind) || (action.kind === 'payload' && !action.on)) return ALLOW;
      const token = proposal.confirmationToken;
      if (token !== undefined && store.accepts(token, proposal, nowMs)) return ALLOW;
      return deny(
        'confirmation.required',
        token === undefined
          ? `${action.kind} needs an operator confirmation`
          : `the confirmation for ${action.kind} is unknown, spent or expired`,
        { kind: action.kind, hasToken: token !== undefined },
      );
    },
    commit(action, proposal, nowMs) {
      const token = proposal.confirmationToken;
      if (token !== undefined && kinds.has(action.kind)) store.consume(token, nowMs);
    },
  };
}
