import type { Guardrails } from '../../missions/index.js';
import type { ActionProposal } from '../../runtime/index.js';
import { ageMs, type GuardState } from '../guard/rule.js';
import { ACTION_STRENGTH, failsafeTable, type FailsafeCause, type FailsafeRow } from './table.js';

export interface ActiveFailsafe {
  readonly cause: FailsafeCause;
  readonly action: FailsafeRow['action'];
  readonly sinceMs: number;
}

export interface FailsafeTransition {
  readonly cause: FailsafeCause;
  readonly kind: 'triggered' | 'cleared';
  readonly action: FailsafeRow['action'];
  readonly atMs: number;
  readonly description: string;
}

export interface FailsafeUpdate {
  /** Each row that triggered or cleared in this update, in table order. */
  readonly transitions: readonly FailsafeTransition[];
  /** The failsafe in charge after this update, if any. */
  readonly active: ActiveFailsafe | undefined;
  /** A proposal to put the new failsafe action into effect; only when the one in charge changed to a non-`continue` action. */
  readonly proposal: ActionProposal | undefined;
}

export interface FailsafeMonitorOptions {
  readonly guardrails: Guardrails;
  /** When the monitor started, ms: a pose that never came is as old as this. */
  readonly startedAtMs: number;
  /** The return-home threshold in force after retasks (shared with the battery rule); default the mission's. */
  readonly returnHome?: { readonly pct: number };
}

interface RowState {
  readonly row: FailsafeRow;
  active: boolean;
  sinceMs: number;
}

/**
 * A PX4-style failsafe state machine over the table from `failsafeTable`.
 * `update(state, estopEngaged, nowMs)` evaluates each condition, applies each
 * row's clear condition, and returns what changed plus, when the failsafe in
 * charge changed, a proposal with source `failsafe/<cause>` for the guard.
 * Pure apart from its own state; time is an argument.
 */
export class FailsafeMonitor {
  readonly table: readonly FailsafeRow[];
  private readonly rows: RowState[];
  private readonly guardrails: Guardrails;
  private readonly startedAtMs: number;
  private readonly returnHome: { readonly pct: number } | undefined;
  private inCharge: ActiveFailsafe | undefined;
  private seq = 0;

  constructor(options: FailsafeMonitorOptions) {
    this.guardrails = options.guardrails;
    this.startedAtMs = options.startedAtMs;
    this.returnHome = options.returnHome;
    this.table = failsafeTable(options.guardrails);
    this.rows = this.table.map((row) => ({ row, active: false, sinceMs: 0 }));
  }

  active(): ActiveFailsafe | undefined {
    return this.inCharge;
  }

  /** Whether `cause`'s condition holds now (independent of latching). */
  conditionHolds(cause: FailsafeCause, state: GuardState, estopEngaged: boolean, nowMs: number): boolean {
    const g = this.guardrails;
    switch (cause) {
      case 'pose_stale': {
        const afterMs = g.staleSensor?.afterMs ?? Infinity;
        return ageMs(state.poseStampMs ?? this.startedAtMs, nowMs) > afterMs;
      }
      case 'link_lost': {
        // Like PX4, a link that was never there cannot be lost: a robot with no ground station is not in failsafe.
        const afterMs = g.linkLoss?.afterMs ?? Infinity;
        return state.linkSeenMs !== undefined && nowMs - state.linkSeenMs > afterMs;
      }
      case 'battery_low':
      case 'battery_critical': {
        const b = state.battery;
        if (b === undefined || g.battery === undefined) return false;
        const limit = cause === 'battery_low' ? (this.returnHome?.pct ?? g.battery.returnHomePct) : g.battery.landPct;
        // A NaN charge is a broken gauge: assume the reserve is reached, not that the pack is full.
        return !Number.isFinite(b.percent) ? cause === 'battery_low' : b.percent <= limit;
      }
      case 'estop':
        return estopEngaged;
    }
  }

  update(state: GuardState, estopEngaged: boolean, nowMs: number): FailsafeUpdate {
    const transitions: FailsafeTransition[] = [];
    for (const rs of this.rows) {
      const holds = this.conditionHolds(rs.row.cause, state, estopEngaged, nowMs);
      if (holds && !rs.active) {
        rs.active = true;
        rs.sinceMs = nowMs;
        transitions.push(this.transition(rs.row, 'triggered', nowMs));
      } else if (!holds && rs.active && rs.row.clear === 'when_clear') {
        rs.active = false;
        transitions.push(this.transition(rs.row, 'cleared', nowMs));
      }
    }
    return this.settle(transitions, nowMs);
  }

  /**
   * An operator's reset of an `on_reset` failsafe whose condition has cleared.
   * Returns false (and changes nothing) for other rows or while the condition holds.
   */
  reset(cause: FailsafeCause, state: GuardState, estopEngaged: boolean, nowMs: number): FailsafeUpdate | undefined {
    const rs = this.rows.find((r) => r.row.cause === cause);
    if (rs === undefined || !rs.active || rs.row.clear !== 'on_reset') return undefined;
    if (this.conditionHolds(cause, state, estopEngaged, nowMs)) return undefined;
    rs.active = false;
    return this.settle([this.transition(rs.row, 'cleared', nowMs)], nowMs);
  }

  /**
   * An operator's reset of every `on_reset` failsafe whose condition has
   * cleared (PX4: the pilot takes back control). Rows whose condition still
   * holds stay active and are listed in `stillHolding`.
   */
  resetCleared(
    state: GuardState,
    estopEngaged: boolean,
    nowMs: number,
  ): FailsafeUpdate & { readonly stillHolding: readonly FailsafeCause[] } {
    const transitions: FailsafeTransition[] = [];
    const stillHolding: FailsafeCause[] = [];
    for (const rs of this.rows) {
      if (!rs.active || rs.row.clear !== 'on_reset') continue;
      if (this.conditionHolds(rs.row.cause, state, estopEngaged, nowMs)) {
        stillHolding.push(rs.row.cause);
        continue;
      }
      rs.active = false;
      transitions.push(this.transition(rs.row, 'cleared', nowMs));
    }
    return { ...this.settle(transitions, nowMs), stillHolding };
  }

  private settle(transitions: FailsafeTransition[], nowMs: number): FailsafeUpdate {
    // Rows are weakest first: the last active one is in charge.
    let top: RowState | undefined;
    for (const rs of this.rows)
      if (rs.active && (top === undefined || ACTION_STRENGTH[rs.row.action] >= ACTION_STRENGTH[top.row.action]))
        top = rs;
    const before = this.inCharge;
    this.inCharge =
      top === undefined ? undefined : { cause: top.row.cause, action: top.row.action, sinceMs: top.sinceMs };
    let proposal: ActionProposal | undefined;
    const now = this.inCharge;
    if (
      now !== undefined &&
      now.action !== 'continue' &&
      (before?.cause !== now.cause || before.action !== now.action)
    ) {
      proposal = {
        id: `failsafe-${String(++this.seq).padStart(6, '0')}`,
        source: `failsafe/${now.cause}`,
        action: { kind: now.action },
        proposedAtMs: nowMs,
      };
    }
    return { transitions, active: this.inCharge, proposal };
  }

  private transition(row: FailsafeRow, kind: FailsafeTransition['kind'], atMs: number): FailsafeTransition {
    return { cause: row.cause, kind, action: row.action, atMs, description: row.description };
  }
}
