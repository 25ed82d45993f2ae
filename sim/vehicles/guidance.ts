/**
 * Simple waypoint guidance, pure functions of state and target: a speed
 * profile that brakes in time to stop at the target, velocity pointing at the
 * target for a multirotor, and a turn-then-drive law for a differential drive.
 */
import { wrapAngle } from '../../runtime/index.js';

/** Fastest speed from which `decelMps2` still stops within `distanceM` (v² = 2·a·d), capped at cruise. */
export function approachSpeed(distanceM: number, cruiseMps: number, decelMps2: number): number {
  return Math.min(cruiseMps, Math.sqrt(2 * decelMps2 * Math.max(0, distanceM)));
}

export interface MultirotorGuidance {
  vx: number;
  vy: number;
  vz: number;
  /** Heading of travel, radians, or NaN when too close to steer by. */
  headingRad: number;
  arrived: boolean;
}

/**
 * World-frame velocity toward (tx, ty, tz). Braking uses half the available
 * deceleration so the first-order response of the airframe does not overshoot.
 */
export function multirotorGoto(
  px: number,
  py: number,
  pz: number,
  tx: number,
  ty: number,
  tz: number,
  speedMps: number,
  climbMps: number,
  accelMps2: number,
  out: MultirotorGuidance,
): MultirotorGuidance {
  const dx = tx - px;
  const dy = ty - py;
  const dz = tz - pz;
  const d = Math.hypot(dx, dy);
  out.arrived = d < 0.5 && Math.abs(dz) < 0.3;
  const v = approachSpeed(d, speedMps, 0.5 * accelMps2);
  out.vx = d > 1e-6 ? (dx / d) * v : 0;
  out.vy = d > 1e-6 ? (dy / d) * v : 0;
  out.vz = Math.max(-climbMps, Math.min(climbMps, 1.2 * dz));
  out.headingRad = d > 2 ? Math.atan2(dy, dx) : Number.NaN;
  return out;
}

export interface DiffDriveGuidance {
  linearMps: number;
  yawRateRps: number;
  arrived: boolean;
}

/** Turn toward the target, drive when roughly facing it; turn in place beyond 60° of error. */
export function diffDriveGoto(
  px: number,
  py: number,
  yawRad: number,
  tx: number,
  ty: number,
  speedMps: number,
  maxYawRateRps: number,
  accelMps2: number,
  out: DiffDriveGuidance,
): DiffDriveGuidance {
  const dx = tx - px;
  const dy = ty - py;
  const d = Math.hypot(dx, dy);
  out.arrived = d < 0.25;
  if (out.arrived) {
    out.linearMps = 0;
    out.yawRateRps = 0;
    return out;
  }
  const err = wrapAngle(Math.atan2(dy, dx) - yawRad);
  out.yawRateRps = Math.max(-maxYawRateRps, Math.min(maxYawRateRps, 2 * err));
  const facing = Math.cos(err);
  out.linearMps = Math.abs(err) > Math.PI / 3 ? 0 : approachSpeed(d, speedMps, 0.5 * accelMps2) * facing;
  return out;
}
