import type { Action, Decision, PoseEstimate, RuntimeEvent, Target } from '../../runtime/index.js';

/** What a behavior sees at each tick. */
export interface BehaviorInput {
  readonly nowMs: number;
  /** Latest pose estimate and its source stamp; absent until the estimator publishes. */
  readonly pose?: PoseEstimate;
  readonly poseStampMs?: number;
  readonly batteryPct?: number;
  readonly targets: readonly Target[];
  /**
   * The guard's decisions on this behavior's own proposals since the last
   * tick, oldest first: a behavior learns that its payload was denied, or
   * that a waypoint lies outside the fence, and plans around it.
   */
  readonly decisions?: readonly Decision[];
}

export interface BehaviorOutput {
  /** Action to propose now; absent to propose nothing this tick. */
  readonly action?: Action;
  /** Name of the current phase, shown to the operator. */
  readonly phase: string;
  /** Events worth telling the operator (a fire found, a point inspected). */
  readonly events?: readonly RuntimeEvent[];
  /**
   * Source stamp of the camera frame the action was derived from (the newest
   * sighting of the target it acts on), for latency tracing.
   */
  readonly frameStampMs?: number;
}

/** The parts of an operator retask a running behavior can take in place (the rest rebuild the behavior). */
export interface RetaskPolicy {
  /** Target classes, highest priority first. */
  readonly targets?: readonly string[];
  /** auto: payload when the guard approves; confirm: each release waits for an operator; off: never. */
  readonly payload?: 'auto' | 'confirm' | 'off';
  readonly altitudeM?: number;
  readonly speedMps?: number;
}

/**
 * A behavior is a pure state machine: input in, proposed action out. It never
 * talks to the actuator; the guard decides whether what it proposes runs.
 */
export interface BehaviorLogic {
  readonly kind: string;
  step(input: BehaviorInput): BehaviorOutput;
  /** Applies a policy change in place; returns what changed, for the operator (empty: nothing applied). */
  retask?(policy: RetaskPolicy): readonly string[];
  /** An operator confirmed a payload release this behavior asked for. */
  confirm?(proposalId: string): boolean;
  /** Where the behavior took off, once known; carried over when an operator retasks. */
  readonly homeXY?: readonly [number, number] | undefined;
}

export function distanceXY(a: { x: number; y: number }, b: readonly [number, number]): number {
  return Math.hypot(a.x - b[0], a.y - b[1]);
}

export function gotoLocal(x: number, y: number, altitudeM?: number, speedMps?: number): Action {
  return {
    kind: 'goto',
    target: { frame: 'local', x, y },
    ...(altitudeM === undefined ? {} : { altitudeM }),
    ...(speedMps === undefined ? {} : { speedMps }),
  };
}
