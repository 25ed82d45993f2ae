import type { Action } from '../../../runtime/index.js';
import { ageMs, ALLOW, deny, type GuardRule } from '../rule.js';

export interface PoseFreshOptions {
  /** A pose older than this is stale, ms (the mission's `staleSensor.afterMs`). */
  readonly staleAfterMs: number;
  /** Action kinds that rely on knowing where the robot is. Default velocity, goto, payload. */
  readonly kinds?: readonly Action['kind'][];
}

/**
 * Nav2's "a stale source stops the robot": motion and payload release rely on
 * the pose, so without a fresh one they are denied with `source.stale`. A
 * proposal that says it was derived from a stale pose (`basis.poseStampMs`)
 * is denied too, even when the guard's own pose is fresh. Hold, land, return
 * home and stop never wait on the pose: they are what a robot does without one.
 */
export function poseFreshRule(options: PoseFreshOptions): GuardRule {
  const staleAfterMs = options.staleAfterMs;
  const kinds = new Set<Action['kind']>(options.kinds ?? ['velocity', 'goto', 'payload']);
  return {
    id: 'pose-fresh',
    evaluate(action, state, nowMs, proposal) {
      if (!kinds.has(action.kind)) return ALLOW;
      const age = ageMs(state.poseStampMs, nowMs);
      if (state.pose === undefined || !(age <= staleAfterMs)) {
        return deny(
          'source.stale',
          state.pose === undefined
            ? 'no pose received yet'
            : `pose is ${Math.round(age)} ms old (stale after ${staleAfterMs} ms)`,
          { source: 'pose', ageMs: Number.isFinite(age) ? age : null, staleAfterMs },
        );
      }
      const basis = proposal.basis?.poseStampMs;
      if (basis !== undefined && !(nowMs - basis <= staleAfterMs)) {
        return deny('source.stale', `proposal was derived from a pose ${Math.round(nowMs - basis)} ms old`, {
          source: 'proposal.basis.pose',
          ageMs: Number.isFinite(nowMs - basis) ? nowMs - basis : null,
          staleAfterMs,
        });
      }
      return ALLOW;
    },
  };
}
