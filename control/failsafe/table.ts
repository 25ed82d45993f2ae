import type { FailsafeAction, Guardrails } from '../../missions/index.js';

/** Why a failsafe fired. Stable strings: they appear in proposal sources (`failsafe/link_lost`) and events. */
export type FailsafeCause = 'pose_stale' | 'link_lost' | 'battery_low' | 'battery_critical' | 'estop';

/**
 * When an active failsafe lets go (PX4 `ClearCondition`):
 * - `when_clear`: as soon as its condition no longer holds;
 * - `on_reset`: once its condition no longer holds and an operator resets it;
 * - `never`: latched for the rest of the run.
 */
export type ClearCondition = 'when_clear' | 'on_reset' | 'never';

export interface FailsafeRow {
  readonly cause: FailsafeCause;
  readonly action: FailsafeAction;
  readonly clear: ClearCondition;
  /** What the condition is, for operators: shown in events. */
  readonly description: string;
}

/**
 * Strength of each action: when several failsafes are active the strongest
 * wins, as in PX4's ordered `Action` enum (later = stronger).
 */
export const ACTION_STRENGTH: Readonly<Record<FailsafeAction, number>> = Object.freeze({
  continue: 0,
  hold: 1,
  return_home: 2,
  land: 3,
  stop: 4,
});

/**
 * The failsafe policy as a table, one row per condition, built from the
 * mission's guardrails and sorted weakest first so the last active row wins
 * (ties keep table order). A condition the mission does not configure has no row.
 *
 * | cause            | action (mission)        | clears        |
 * |------------------|-------------------------|---------------|
 * | pose_stale       | staleSensor.action      | when_clear    |
 * | link_lost        | linkLoss.action         | on_reset      |
 * | battery_low      | return_home             | on_reset      |
 * | battery_critical | land                    | never         |
 * | estop            | stop                    | when_clear ¹  |
 *
 * ¹ the e-stop latch itself latches; the row follows it.
 */
export function failsafeTable(guardrails: Guardrails): readonly FailsafeRow[] {
  const rows: FailsafeRow[] = [];
  if (guardrails.staleSensor !== undefined) {
    rows.push({
      cause: 'pose_stale',
      action: guardrails.staleSensor.action,
      clear: 'when_clear',
      description: `no fresh pose for ${guardrails.staleSensor.afterMs} ms`,
    });
  }
  if (guardrails.linkLoss !== undefined) {
    rows.push({
      cause: 'link_lost',
      action: guardrails.linkLoss.action,
      // PX4 keeps its link-loss action until the pilot takes over; a link that flickers back must not resume the mission alone.
      clear: 'on_reset',
      description: `operator link silent for ${guardrails.linkLoss.afterMs} ms`,
    });
  }
  if (guardrails.battery !== undefined) {
    rows.push({
      cause: 'battery_low',
      action: 'return_home',
      clear: 'on_reset',
      description: `battery at or below ${guardrails.battery.returnHomePct} %`,
    });
    rows.push({
      cause: 'battery_critical',
      action: 'land',
      clear: 'never',
      description: `battery at or below ${guardrails.battery.landPct} %`,
    });
  }
  rows.push({ cause: 'estop', action: 'stop', clear: 'when_clear', description: 'emergency stop engaged' });
  // Stable sort: equal strengths keep the order above.
  return Object.freeze(
    rows
      .map((r, i) => ({ r, i }))
      .sort((a, b) => ACTION_STRENGTH[a.r.action] - ACTION_STRENGTH[b.r.action] || a.i - b.i)
      .map((x) => x.r),
  );
}
