import type { Action, VelocityAction } from '../../../runtime/index.js';
import { GuardError } from '../../errors.js';
import { horizontalSpeedMps, norm } from '../motion.js';
import { ALLOW, modify, type GuardRule } from '../rule.js';

export interface SpeedLimitsOptions {
  /** Horizontal speed limit, m/s. */
  readonly maxLinearMps: number;
  /** Climb/descent limit, m/s. */
  readonly maxVerticalMps?: number;
  readonly maxYawRateRps?: number;
  /** Horizontal acceleration limit relative to the last approved command, m/s². */
  readonly maxAccelMps2?: number;
}

/** The last approved command stops shaping the next one after this long: the robot has long reached it. */
const ACCEL_MEMORY_MS = 1000;

/**
 * Speed, yaw-rate and acceleration limits: commands above them are clamped
 * (`speed.clamp`), keeping their direction. Acceleration is limited on the
 * horizontal velocity relative to the last approved command (`speed.accel`),
 * but braking (a slower command) is never delayed: a guard must not stand
 * between a robot and stopping. A goto gets the speed limit as its speed.
 */
export function speedLimitsRule(options: SpeedLimitsOptions): GuardRule {
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !(typeof value === 'number' && value > 0)) {
      throw new GuardError(
        'guard.config_invalid',
        `speed limit ${key} must be a positive number, got ${String(value)}`,
      );
    }
  }
  const maxH = options.maxLinearMps;
  const maxV = options.maxVerticalMps ?? Infinity;
  const maxW = options.maxYawRateRps ?? Infinity;
  const maxA = options.maxAccelMps2;
  // Last approved horizontal velocity (body frame) and when; undefined before the first.
  let lastVx = 0;
  let lastVy = 0;
  let lastAtMs: number | undefined;

  return {
    id: 'speed-limits',
    evaluate(action, _state, nowMs) {
      if (action.kind === 'goto') {
        if (action.speedMps !== undefined && action.speedMps <= maxH) return ALLOW;
        return modify({ ...action, speedMps: maxH }, 'speed.clamp', `goto speed set to the ${maxH} m/s limit`, {
          requestedMps: action.speedMps ?? null,
          limitMps: maxH,
        });
      }
      if (action.kind !== 'velocity') return ALLOW;
      let vx = action.linearMps.x;
      let vy = action.linearMps.y;
      let vz = action.linearMps.z;
      let w = action.yawRateRps;
      let code: 'speed.clamp' | 'speed.accel' | undefined;
      const h = norm(vx, vy);
      if (h > maxH) {
        vx *= maxH / h;
        vy *= maxH / h;
        code = 'speed.clamp';
      }
      if (Math.abs(vz) > maxV) {
        vz = Math.sign(vz) * maxV;
        code = 'speed.clamp';
      }
      if (Math.abs(w) > maxW) {
        w = Math.sign(w) * maxW;
        code = 'speed.clamp';
      }
      if (maxA !== undefined && lastAtMs !== undefined) {
        const dtS = Math.min(Math.max(0, nowMs - lastAtMs), ACCEL_MEMORY_MS) / 1000;
        const lastH = norm(lastVx, lastVy);
        const dx = vx - lastVx;
        const dy = vy - lastVy;
        const dv = norm(dx, dy);
        const maxDv = maxA * dtS;
        // Only speeding up is limited; the result lies between the last command and this one, so it is no faster than this one.
        if (norm(vx, vy) > lastH && dv > maxDv) {
          const k = maxDv / dv;
          vx = lastVx + dx * k;
          vy = lastVy + dy * k;
          code ??= 'speed.accel';
        }
      }
      if (code === undefined) return ALLOW;
      const out: VelocityAction = { kind: 'velocity', linearMps: { x: vx, y: vy, z: vz }, yawRateRps: w };
      return modify(
        out,
        code,
        code === 'speed.clamp'
          ? `clamped to the limits (${maxH} m/s horizontal${Number.isFinite(maxV) ? `, ${maxV} m/s vertical` : ''}${Number.isFinite(maxW) ? `, ${maxW.toFixed(3)} rad/s yaw` : ''})`
          : `acceleration limited to ${maxA ?? 0} m/s²`,
        {
          requested: { horizontalMps: h, verticalMps: action.linearMps.z, yawRateRps: action.yawRateRps },
          result: { horizontalMps: horizontalSpeedMps(out), verticalMps: vz, yawRateRps: w },
        },
      );
    },
    commit(action: Action, _proposal, nowMs) {
      if (action.kind === 'velocity') {
        lastVx = action.linearMps.x;
        lastVy = action.linearMps.y;
        lastAtMs = nowMs;
      } else if (action.kind === 'stop' || action.kind === 'hold' || action.kind === 'land') {
        lastVx = 0;
        lastVy = 0;
        lastAtMs = nowMs;
      } else if (action.kind === 'goto' || action.kind === 'return_home') {
        // The autopilot flies these at its own speed: forget the last velocity rather than ramp from a wrong one.
        lastAtMs = undefined;
      }
    },
  };
}
