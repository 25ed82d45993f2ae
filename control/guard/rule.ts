import type { Action, ActionProposal, BatteryState, LaserScan, PoseEstimate, Target } from '../../runtime/index.js';

/** What a rule saw that made it decide: zone names, distances, the offending field. Plain JSON values. */
export type Evidence = Readonly<Record<string, unknown>>;

/**
 * A proposal as the guard sees it. `confirmationToken` is the operator's
 * confirmation for actions in `requireConfirmation`; the telemetry command
 * channel sets it (a later issue), until then tests and the CLI do.
 */
export interface GuardProposal extends ActionProposal {
  readonly confirmationToken?: string;
}

/**
 * Everything the rules may look at, captured once per decision. Stamps are
 * source times (epoch ms of the runtime clock), so a rule computes ages from
 * the `nowMs` it is given and one snapshot can be judged at any instant.
 * A missing field means the guard has never received that input.
 */
export interface GuardState {
  /** The robot's latest fused pose in the mission's local ENU frame. */
  readonly pose?: PoseEstimate;
  readonly poseStampMs?: number;
  readonly battery?: BatteryState;
  readonly batteryStampMs?: number;
  /** Targets from the world model, positions in the local ENU frame. */
  readonly targets: readonly Target[];
  readonly targetsStampMs?: number;
  /** Latest lidar scan, in the body frame (FLU). */
  readonly scan?: LaserScan;
  readonly scanStampMs?: number;
  /** Last time the operator link was heard from; absent when it never was. */
  readonly linkSeenMs?: number;
}

export type RuleResult =
  | { readonly verdict: 'allow' }
  | {
      readonly verdict: 'modify';
      readonly action: Action;
      readonly code: string;
      readonly reason: string;
      readonly evidence?: Evidence;
    }
  | { readonly verdict: 'deny'; readonly code: string; readonly reason: string; readonly evidence?: Evidence };

/**
 * One guardrail. `evaluate` is pure with respect to its inputs: it must not
 * change `action` or `state`, and it sees the action as the rules before it
 * left it (modifications chain). A rule that throws, or returns an action with
 * a NaN in it, denies the proposal: the pipeline fails closed.
 *
 * `commit` runs only when the whole pipeline approved, with the action that
 * will run, so rules with memory (rate limits, acceleration, one-shot
 * confirmations) count only what really reaches the actuator.
 *
 * @example
 * const noReverse: GuardRule = {
 *   id: 'acme.no_reverse',
 *   evaluate: (action) =>
 *     action.kind === 'velocity' && action.linearMps.x < 0
 *       ? deny('acme.reverse', 'this platform cannot reverse', { xMps: action.linearMps.x })
 *       : ALLOW,
 * };
 */
export interface GuardRule {
  /** Stable id, shown in decisions: `geofence`, `acme.no_reverse`. */
  readonly id: string;
  evaluate(action: Action, state: GuardState, nowMs: number, proposal: GuardProposal): RuleResult;
  commit?(action: Action, proposal: GuardProposal, nowMs: number): void;
}

/** The one allow result, shared: allowing allocates nothing. */
export const ALLOW: RuleResult = Object.freeze({ verdict: 'allow' });

export function modify(action: Action, code: string, reason: string, evidence?: Evidence): RuleResult {
  return evidence === undefined
    ? { verdict: 'modify', action, code, reason }
    : { verdict: 'modify', action, code, reason, evidence };
}

export function deny(code: string, reason: string, evidence?: Evidence): RuleResult {
  return evidence === undefined ? { verdict: 'deny', code, reason } : { verdict: 'deny', code, reason, evidence };
}

/** Age of a stamped input at `nowMs`; `Infinity` when it never arrived. */
export function ageMs(stampMs: number | undefined, nowMs: number): number {
  return stampMs === undefined ? Infinity : nowMs - stampMs;
}

/** Actions that move the robot under the guard's own checks (return home and land are the autopilot's). */
export function isMotion(action: Action): action is Extract<Action, { kind: 'velocity' | 'goto' }> {
  return action.kind === 'velocity' || action.kind === 'goto';
}

/** The always-safe action: no rule may deny it, and any rule may turn a motion into it. */
export const STOP: Action = Object.freeze({ kind: 'stop' });
