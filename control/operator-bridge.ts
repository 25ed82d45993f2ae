import type { ActionKind } from '../missions/index.js';
import type { ActionProposal, Decision, OperatorMessage } from '../runtime/index.js';
import type { GuardProposal } from './guard/rule.js';
import type { MemoryConfirmationStore } from './guard/rules/confirmation.js';
import type { EStopLatch } from './guard/rules/estop.js';

/** How long an operator's confirmation stays good for the next proposal of that kind, ms. */
export const CONFIRMATION_TTL_MS = 30_000;

/**
 * Turns authenticated operator commands (`control/operator`, published only
 * by the command channel after signature, freshness and authority checks)
 * into guard inputs:
 * - `estop` engages the latch; `estop_reset` releases it, authorised because
 *   it came through this bridge (the latch's authoriser accepts exactly the
 *   reset tokens the bridge issued);
 * - `confirm` grants a one-use token for the kind of the proposal that was
 *   denied with `confirmation.required`; the next proposal of that kind
 *   carries it (behaviors re-propose), and the guard spends it on approval;
 * - `action` becomes a proposal from `operator/<id>`, guarded like any other.
 */
export class OperatorBridge {
  private readonly issuedResetTokens = new Set<string>();
  /** Proposals denied for want of a confirmation, by id (bounded: the newest 64). */
  private readonly awaiting = new Map<string, ActionKind>();
  private readonly grantsByKind = new Map<string, { token: string; expiresAtMs: number }>();

  constructor(
    private readonly estop: () => EStopLatch | undefined,
    private readonly confirmations: MemoryConfirmationStore,
  ) {}

  /** The authoriser to give the e-stop latch. */
  readonly authorizeReset = (request: { readonly by: string; readonly token?: string }): boolean =>
    request.token !== undefined && this.issuedResetTokens.delete(request.token);

  /** Remembers proposals that wait for an operator. */
  onDecision(d: Decision): void {
    if (d.code !== 'confirmation.required') return;
    this.awaiting.set(d.proposalId, d.requested.kind as ActionKind);
    if (this.awaiting.size > 64) this.awaiting.delete(this.awaiting.keys().next().value as string);
  }

  /** Attaches a pending confirmation to a proposal of the confirmed kind. */
  withConfirmation(p: ActionProposal, nowMs: number): GuardProposal {
    const g = this.grantsByKind.get(p.action.kind);
    if (g === undefined || (p as GuardProposal).confirmationToken !== undefined) return p;
    if (nowMs > g.expiresAtMs) {
      this.grantsByKind.delete(p.action.kind);
      return p;
    }
    return { ...p, confirmationToken: g.token };
  }

  /** A confirmed action ran: its grant is spent. */
  onApproved(p: GuardProposal): void {
    const g = this.grantsByKind.get(p.action.kind);
    if (g !== undefined && g.token === p.confirmationToken) this.grantsByKind.delete(p.action.kind);
  }

  /** Handles one operator message; returns a proposal to publish, or an outcome to report. */
  handle(m: OperatorMessage, nowMs: number): { proposal?: ActionProposal; note: string } {
    const by = `operator/${m.operator}`;
    const c = m.command;
    switch (c.kind) {
      case 'estop':
        this.estop()?.engage(`e-stop by ${by}: ${c.reason}`, nowMs);
        return { note: `e-stop engaged by ${by}` };
      case 'estop_reset': {
        const token = `reset:${m.operator}:${m.commandId}`;
        this.issuedResetTokens.add(token);
        this.estop()?.reset({ by, token }, nowMs);
        this.issuedResetTokens.delete(token);
        return { note: `e-stop reset by ${by}` };
      }
      case 'confirm': {
        const kind = this.awaiting.get(c.proposalId);
        if (kind === undefined)
          return { note: `confirmation from ${by} for ${c.proposalId} matches no waiting proposal` };
        this.awaiting.delete(c.proposalId);
        const token = `confirm:${m.operator}:${m.commandId}`;
        const expiresAtMs = nowMs + CONFIRMATION_TTL_MS;
        this.confirmations.grant(token, { kind, expiresAtMs });
        this.grantsByKind.set(kind, { token, expiresAtMs });
        return { note: `${kind} confirmed by ${by} for ${CONFIRMATION_TTL_MS / 1000} s` };
      }
      case 'deny': {
        const known = this.awaiting.delete(c.proposalId);
        return {
          note: known
            ? `${c.proposalId} denied by ${by}`
            : `denial from ${by} for ${c.proposalId} matches no waiting proposal`,
        };
      }
      case 'pause':
      case 'resume':
      case 'retask':
      case 'task':
      case 'feedback':
        // The behavior (or tasking, or capture) acts on these; the guard only records who asked.
        return { note: `${c.kind} by ${by}` };
      case 'action':
        return {
          proposal: { id: `operator-${m.operator}-${m.commandId}`, source: by, action: c.action, proposedAtMs: nowMs },
          note: `${c.action.kind} proposed by ${by}`,
        };
    }
  }
}
