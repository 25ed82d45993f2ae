import { GuardError } from '../errors.js';

export interface JerkLimits {
  /** Horizontal acceleration limit, m/s² (the tighter of the mission's and the platform's). */
  readonly maxAccelMps2: number;
  /** Limit on the change of acceleration, m/s³. */
  readonly maxJerkMps3: number;
}

/**
 * Jerk-limited smoothing of a horizontal velocity command, in the spirit of
 * Nav2's velocity_smoother with a jerk bound: each `step` moves the output
 * velocity toward the target with |a| ≤ maxAccel and |Δa/dt| ≤ maxJerk,
 * where a is exactly the output's own finite difference ((v₁ − v₀)/dt), so
 * the actuator never sees a step the limits forbid.
 *
 * The acceleration asked for is the square-root law on the *predicted* error:
 * ramping the current acceleration a down to zero at the jerk limit still
 * changes the velocity by a·|a|/(2·maxJerk), so that much is taken off the
 * error first; otherwise the output would overshoot every time. Near the
 * target the output settles within about maxJerk·dt² of it.
 *
 * Braking is shaped too: a guard that needs a hard stop commands `stop`,
 * which bypasses smoothing (the actuator's own limits apply).
 */
export class JerkLimiter {
  private vx = 0;
  private vy = 0;
  private ax = 0;
  private ay = 0;

  constructor(readonly limits: JerkLimits) {
    for (const [key, value] of Object.entries(limits)) {
      if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
        throw new GuardError(
          'guard.config_invalid',
          `jerk limiter ${key} must be a positive number, got ${String(value)}`,
        );
      }
    }
  }

  /** Current output velocity and acceleration. */
  get state(): { vx: number; vy: number; ax: number; ay: number } {
    return { vx: this.vx, vy: this.vy, ax: this.ax, ay: this.ay };
  }

  /** Starts from a measured velocity (and acceleration), e.g. the pose estimate's, when a new stream begins. */
  reset(vx: number, vy: number, ax = 0, ay = 0): void {
    this.vx = vx;
    this.vy = vy;
    this.ax = ax;
    this.ay = ay;
  }

  /**
   * Advances by `dtS` toward the target (m/s) and returns the output velocity.
   * A non-finite target or step holds the last output and brakes the
   * acceleration: smoothing never turns garbage into motion.
   */
  step(targetVx: number, targetVy: number, dtS: number): { vx: number; vy: number } {
    const A = this.limits.maxAccelMps2;
    const J = this.limits.maxJerkMps3;
    if (!(dtS > 0 && Number.isFinite(dtS))) return { vx: this.vx, vy: this.vy };
    if (!Number.isFinite(targetVx) || !Number.isFinite(targetVy)) {
      targetVx = this.vx;
      targetVy = this.vy;
    }
    const dA = J * dtS;
    // Exact finish: if the target is reachable this step within both limits, land on it.
    const fx = (targetVx - this.vx) / dtS;
    const fy = (targetVy - this.vy) / dtS;
    const fNorm = Math.hypot(fx, fy);
    // Only with an acceleration small enough (≤ J·dt) to be zeroed at the next step, so it cannot overshoot.
    if (fNorm <= Math.min(A, dA) && Math.hypot(fx - this.ax, fy - this.ay) <= dA) return this.commit(fx, fy, dtS);
    // Predicted error once the current acceleration is ramped to zero at the jerk limit.
    const aNorm = Math.hypot(this.ax, this.ay);
    const ex = targetVx - this.vx - (this.ax * aNorm) / (2 * J);
    const ey = targetVy - this.vy - (this.ay * aNorm) / (2 * J);
    const eNorm = Math.hypot(ex, ey);
    let wantX = 0;
    let wantY = 0;
    if (eNorm > 0) {
      const mag = Math.min(A, Math.sqrt(2 * J * eNorm));
      wantX = (ex / eNorm) * mag;
      wantY = (ey / eNorm) * mag;
    }
    // Jerk bound: move the acceleration at most J·dt toward what is wanted.
    let dx = wantX - this.ax;
    let dy = wantY - this.ay;
    const dNorm = Math.hypot(dx, dy);
    if (dNorm > dA) {
      dx *= dA / dNorm;
      dy *= dA / dNorm;
    }
    let nx = this.ax + dx;
    let ny = this.ay + dy;
    // Acceleration bound (the disc of radius A is convex, so scaling keeps the jerk bound).
    const nNorm = Math.hypot(nx, ny);
    if (nNorm > A) {
      nx *= A / nNorm;
      ny *= A / nNorm;
    }
    return this.commit(nx, ny, dtS);
  }

  private commit(ax: number, ay: number, dtS: number): { vx: number; vy: number } {
    this.ax = ax;
    this.ay = ay;
    this.vx += ax * dtS;
    this.vy += ay * dtS;
    return { vx: this.vx, vy: this.vy };
  }
}
