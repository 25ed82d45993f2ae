import type { Action, PoseEstimate, RuntimeEvent, Target } from '../../runtime/index.js';

/** What a behavior sees at each tick. */
export interface BehaviorInput {
  readonly nowMs: number;
  /** Latest pose estimate and its source stamp; absent until the estimator publishes. */
  readonly pose?: PoseEstimate;
  readonly poseStampMs?: number;
  readonly batteryPct?: number;
  readonly targets: readonly Target[];
}

export interface BehaviorOutput {
  /** Action to propose now; absent to propose nothing this tick. */
  readonly action?: Action;
  /** Name of the current phase, shown to the operator. */
  readonly phase: string;
  /** Events worth telling the operator (a fire found, a point inspected). */
  readonly events?: readonly RuntimeEvent[];
}

/**
 * A behavior is a pure state machine: input in, proposed action out. It never
 * talks to the actuator; the guard decides whether what it proposes runs.
 */
export interface BehaviorLogic {
  readonly kind: string;
  step(input: BehaviorInput): BehaviorOutput;
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
