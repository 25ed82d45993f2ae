import type { Action } from '../../runtime/index.js';

/** geometry_msgs/Twist as rclnodejs and CDR take it. */
export interface TwistMsg {
  readonly linear: { x: number; y: number; z: number };
  readonly angular: { x: number; y: number; z: number };
}

/** geometry_msgs/TwistStamped. */
export interface TwistStampedMsg {
  readonly header: { stamp: { sec: number; nanosec: number }; frame_id: string };
  readonly twist: TwistMsg;
}

export const ZERO_TWIST: TwistMsg = Object.freeze({
  linear: Object.freeze({ x: 0, y: 0, z: 0 }),
  angular: Object.freeze({ x: 0, y: 0, z: 0 }),
});

/**
 * The Twist an approved action asks for, or undefined when the action is not
 * a velocity command (goto, payload, gimbal...: another actuator's job).
 * `stop` and `hold` are a zero twist: a velocity-controlled base holds by
 * standing still. Body frame FLU, m/s and rad/s, as REP-103 and Kestrel agree.
 */
export function twistFor(action: Action): TwistMsg | undefined {
  switch (action.kind) {
    case 'velocity':
      return {
        linear: { x: action.linearMps.x, y: action.linearMps.y, z: action.linearMps.z },
        angular: { x: 0, y: 0, z: action.yawRateRps },
      };
    case 'stop':
    case 'hold':
      return ZERO_TWIST;
    default:
      return undefined;
  }
}

export function stamped(twist: TwistMsg, epochMs: number, frameId: string): TwistStampedMsg {
  const sec = Math.floor(epochMs / 1000);
  return {
    header: { stamp: { sec, nanosec: Math.round((epochMs - sec * 1000) * 1e6) }, frame_id: frameId },
    twist,
  };
}
