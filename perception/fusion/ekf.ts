import { wrapAngle } from '../../runtime/index.js';
import { cholesky, choleskySolve } from './matrix.js';
import { OUT_OF_PLANE, S, STATE_SIZE } from './state.js';

/** 1 for roll, pitch, yaw: their innovations wrap at ±π. A typed mask, not a Set, on the update path. */
const IS_ANGLE = new Uint8Array(STATE_SIZE);
IS_ANGLE[S.roll] = 1;
IS_ANGLE[S.pitch] = 1;
IS_ANGLE[S.yaw] = 1;

const N = STATE_SIZE;

export interface EkfConfig {
  /** Hold z, roll, pitch and their rates at zero (ground robots). */
  readonly twoD: boolean;
  /** Process noise variance added per second of prediction, one per state field (robot_localization's process_noise_covariance diagonal). */
  readonly processNoise: readonly number[];
  /** Variance of each field before any measurement. */
  readonly initialCovariance: readonly number[];
  /** Measurements farther than this many standard deviations (Mahalanobis) are rejected as outliers. */
  readonly gateSigma: number;
}

/** A measurement of some state fields, already in the filter's frames (map pose, body rates). */
export interface Measurement {
  readonly timeMs: number;
  readonly sensor: string;
  /** Indices into the state vector (see `S`). */
  readonly indices: readonly number[];
  readonly values: ArrayLike<number>;
  /** Row-major m x m covariance of `values`. */
  readonly covariance: ArrayLike<number>;
}

export type CorrectResult =
  | { readonly kind: 'applied'; readonly mahalanobis: number }
  | { readonly kind: 'gated'; readonly mahalanobis: number }
  | { readonly kind: 'singular' }
  /** Non-finite values, indices out of range, or a covariance that is not a covariance. */
  | { readonly kind: 'invalid' };

/**
 * An extended Kalman filter for a 15-state rigid body in the spirit of
 * robot_localization's `Ekf` (`src/ekf.cpp`): constant-acceleration motion
 * model with pose in the world frame and velocities/accelerations in the body
 * frame; measurements observe state fields directly (H is a selection
 * matrix), so an update costs O(m·n²) rather than O(n³).
 *
 * Notation: x state, P its covariance, F the motion Jacobian, Q process
 * noise, z measurement, R its covariance, H selection, y innovation,
 * S = HPHᵀ + R innovation covariance, K = PHᵀS⁻¹ gain.
 *
 * Every buffer is allocated once, in the constructor.
 */
export class Ekf {
  readonly x = new Float64Array(N);
  readonly P = new Float64Array(N * N);
  private readonly F = new Float64Array(N * N);
  private readonly tmp = new Float64Array(N * N);
  // F's non-zeros by row (about 60 of 225): F·P·Fᵀ costs 2·nnz·n instead of 2·n³.
  private readonly nzCount = new Int32Array(N);
  private readonly nzCol = new Int32Array(N * N);
  private readonly nzVal = new Float64Array(N * N);
  private readonly q: Float64Array;
  // Update scratch, sized for the largest measurement (all fields).
  private readonly sMat = new Float64Array(N * N);
  private readonly y = new Float64Array(N);
  private readonly sy = new Float64Array(N);
  private readonly k = new Float64Array(N * N);
  private readonly hp = new Float64Array(N * N);
  private readonly row = new Float64Array(N);
  private readonly rot = new Float64Array(9);

  constructor(readonly config: EkfConfig) {
    if (config.processNoise.length !== N || config.initialCovariance.length !== N) {
      throw new RangeError(`process noise and initial covariance need ${N} values each`);
    }
    this.q = Float64Array.from(config.processNoise);
    this.buildPattern();
    this.reset();
  }

  reset(): void {
    this.x.fill(0);
    this.P.fill(0);
    for (let i = 0; i < N; i++) this.P[i * N + i] = this.config.initialCovariance[i] as number;
    this.constrain();
  }

  copyFrom(other: Ekf): void {
    this.x.set(other.x);
    this.P.set(other.P);
  }

  /**
   * Moves the state forward by `dtS` seconds:
   *  1. x' = f(x): position += R(rpy)·(v·dt + ½a·dt²), orientation += T(rpy)·ω·dt, v += a·dt;
   *  2. F = ∂f/∂x at x;
   *  3. P' = F P Fᵀ + Q·dt.
   */
  predict(dtS: number): void {
    if (!(dtS > 0)) return;
    const x = this.x;
    const F = this.F;
    const cr = Math.cos(x[S.roll] as number);
    const sr = Math.sin(x[S.roll] as number);
    const cp = Math.cos(x[S.pitch] as number);
    const sp = Math.sin(x[S.pitch] as number);
    const cy = Math.cos(x[S.yaw] as number);
    const sy = Math.sin(x[S.yaw] as number);
    // Near ±90° pitch the Euler rates blow up; clamp cos(pitch) away from zero (robot_localization does the same).
    const cpSafe = Math.abs(cp) < 1e-6 ? (cp < 0 ? -1e-6 : 1e-6) : cp;
    const tp = sp / cpSafe;

    // Body-to-world rotation R = Rz(yaw) Ry(pitch) Rx(roll).
    const r00 = cy * cp, r01 = cy * sp * sr - sy * cr, r02 = cy * sp * cr + sy * sr; // prettier-ignore
    const r10 = sy * cp, r11 = sy * sp * sr + cy * cr, r12 = sy * sp * cr - cy * sr; // prettier-ignore
    const r20 = -sp, r21 = cp * sr, r22 = cp * cr; // prettier-ignore

    const dt = dtS;
    const half = 0.5 * dt * dt;
    const vx = x[S.vx] as number, vy = x[S.vy] as number, vz = x[S.vz] as number; // prettier-ignore
    const ax = x[S.ax] as number, ay = x[S.ay] as number, az = x[S.az] as number; // prettier-ignore
    const wx = x[S.vroll] as number, wy = x[S.vpitch] as number, wz = x[S.vyaw] as number; // prettier-ignore
    // Body-frame displacement over dt.
    const ux = vx * dt + ax * half;
    const uy = vy * dt + ay * half;
    const uz = vz * dt + az * half;

    // Jacobian, starting from identity.
    F.fill(0);
    for (let i = 0; i < N; i++) F[i * N + i] = 1;
    // ∂position/∂v = R·dt, ∂position/∂a = R·½dt².
    const rot = this.rot;
    rot[0] = r00;
    rot[1] = r01;
    rot[2] = r02;
    rot[3] = r10;
    rot[4] = r11;
    rot[5] = r12;
    rot[6] = r20;
    rot[7] = r21;
    rot[8] = r22;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        F[i * N + S.vx + j] = (rot[i * 3 + j] as number) * dt;
        F[i * N + S.ax + j] = (rot[i * 3 + j] as number) * half;
      }
    }
    // ∂position/∂(roll, pitch, yaw) = (∂R/∂angle)·u.
    F[0 * N + S.roll] = (cy * sp * cr + sy * sr) * uy + (-cy * sp * sr + sy * cr) * uz;
    F[1 * N + S.roll] = (sy * sp * cr - cy * sr) * uy + (-sy * sp * sr - cy * cr) * uz;
    F[2 * N + S.roll] = cp * cr * uy - cp * sr * uz;
    F[0 * N + S.pitch] = -cy * sp * ux + cy * cp * sr * uy + cy * cp * cr * uz;
    F[1 * N + S.pitch] = -sy * sp * ux + sy * cp * sr * uy + sy * cp * cr * uz;
    F[2 * N + S.pitch] = -cp * ux - sp * sr * uy - sp * cr * uz;
    F[0 * N + S.yaw] = -sy * cp * ux + (-sy * sp * sr - cy * cr) * uy + (-sy * sp * cr + cy * sr) * uz;
    F[1 * N + S.yaw] = cy * cp * ux + (cy * sp * sr - sy * cr) * uy + (cy * sp * cr + sy * sr) * uz;
    // Euler rates: [roll', pitch', yaw'] = T(roll, pitch)·ω.
    F[S.roll * N + S.vroll] = dt;
    F[S.roll * N + S.vpitch] = sr * tp * dt;
    F[S.roll * N + S.vyaw] = cr * tp * dt;
    F[S.pitch * N + S.vpitch] = cr * dt;
    F[S.pitch * N + S.vyaw] = -sr * dt;
    F[S.yaw * N + S.vpitch] = (sr / cpSafe) * dt;
    F[S.yaw * N + S.vyaw] = (cr / cpSafe) * dt;
    F[S.roll * N + S.roll] = 1 + (cr * tp * wy - sr * tp * wz) * dt;
    F[S.roll * N + S.pitch] = ((sr * wy + cr * wz) / (cpSafe * cpSafe)) * dt;
    F[S.pitch * N + S.roll] = (-sr * wy - cr * wz) * dt;
    F[S.yaw * N + S.roll] = ((cr * wy - sr * wz) / cpSafe) * dt;
    F[S.yaw * N + S.pitch] = (((sr * wy + cr * wz) * sp) / (cpSafe * cpSafe)) * dt;
    // v += a·dt.
    F[S.vx * N + S.ax] = dt;
    F[S.vy * N + S.ay] = dt;
    F[S.vz * N + S.az] = dt;

    // 1. State.
    x[S.x] = (x[S.x] as number) + r00 * ux + r01 * uy + r02 * uz;
    x[S.y] = (x[S.y] as number) + r10 * ux + r11 * uy + r12 * uz;
    x[S.z] = (x[S.z] as number) + r20 * ux + r21 * uy + r22 * uz;
    x[S.roll] = wrapAngle((x[S.roll] as number) + (wx + sr * tp * wy + cr * tp * wz) * dt);
    x[S.pitch] = wrapAngle((x[S.pitch] as number) + (cr * wy - sr * wz) * dt);
    x[S.yaw] = wrapAngle((x[S.yaw] as number) + ((sr / cpSafe) * wy + (cr / cpSafe) * wz) * dt);
    x[S.vx] = vx + ax * dt;
    x[S.vy] = vy + ay * dt;
    x[S.vz] = vz + az * dt;

    // 3. Covariance, P' = F P Fᵀ on the sparse rows of F (fixed pattern, built once).
    const P = this.P;
    const FP = this.tmp;
    const cnt = this.nzCount;
    const col = this.nzCol;
    const val = this.nzVal;
    for (let i = 0; i < N; i++) {
      const base = i * N;
      const end = base + (cnt[i] as number);
      for (let e = base; e < end; e++) val[e] = F[base + (col[e] as number)] as number;
    }
    for (let i = 0; i < N; i++) {
      const ri = i * N;
      FP.fill(0, ri, ri + N);
      for (let e = ri, end = ri + (cnt[i] as number); e < end; e++) {
        const rk = (col[e] as number) * N;
        const v = val[e] as number;
        for (let j = 0; j < N; j++) FP[ri + j] = (FP[ri + j] as number) + v * (P[rk + j] as number);
      }
    }
    // P' is symmetric: compute the upper triangle, mirror it, and add Q·dt on the diagonal.
    for (let i = 0; i < N; i++) {
      const ri = i * N;
      for (let j = i; j < N; j++) {
        let sum = 0;
        for (let e = j * N, end = j * N + (cnt[j] as number); e < end; e++)
          sum += (FP[ri + (col[e] as number)] as number) * (val[e] as number);
        P[ri + j] = sum;
        P[j * N + i] = sum;
      }
      P[ri + i] = (P[ri + i] as number) + (this.q[i] as number) * dt;
    }
    this.constrain();
  }

  /**
   * Fuses one measurement:
   *  1. y = z − Hx (angles wrapped), S = HPHᵀ + R;
   *  2. gate: d² = yᵀS⁻¹y, reject when d > gateSigma;
   *  3. K = PHᵀS⁻¹, x += Ky, P −= K(HP).
   */
  correct(m: Measurement): CorrectResult {
    const idx = m.indices;
    const mm = idx.length;
    const P = this.P;
    const s = this.sMat;
    // The filter defends itself even when a caller skips the hygiene stage: bad input never touches x or P.
    if (!this.isValid(m)) return { kind: 'invalid' };
    for (let a = 0; a < mm; a++) {
      const ia = idx[a] as number;
      const raw = (m.values[a] as number) - (this.x[ia] as number);
      this.y[a] = IS_ANGLE[ia] === 1 ? wrapAngle(raw) : raw;
      for (let b = 0; b < mm; b++)
        s[a * mm + b] = (P[ia * N + (idx[b] as number)] as number) + (m.covariance[a * mm + b] as number);
    }
    if (!cholesky(s, mm)) return { kind: 'singular' };
    // d² = yᵀ S⁻¹ y, through the factor.
    for (let a = 0; a < mm; a++) this.sy[a] = this.y[a] as number;
    choleskySolve(s, mm, this.sy);
    let d2 = 0;
    for (let a = 0; a < mm; a++) d2 += (this.y[a] as number) * (this.sy[a] as number);
    const mahalanobis = Math.sqrt(Math.max(0, d2));
    if (mahalanobis > this.config.gateSigma) return { kind: 'gated', mahalanobis };

    // K rows: K_i = S⁻¹ (PHᵀ)_iᵀ, S symmetric.
    for (let i = 0; i < N; i++) {
      for (let a = 0; a < mm; a++) this.row[a] = P[i * N + (idx[a] as number)] as number;
      choleskySolve(s, mm, this.row);
      for (let a = 0; a < mm; a++) this.k[i * mm + a] = this.row[a] as number;
    }
    // HP = rows of P at the measured indices, copied before P changes.
    for (let a = 0; a < mm; a++) {
      const ia = idx[a] as number;
      for (let j = 0; j < N; j++) this.hp[a * N + j] = P[ia * N + j] as number;
    }
    // P − K(HP) is symmetric in exact arithmetic: compute the upper triangle and mirror it.
    for (let i = 0; i < N; i++) {
      let dx = 0;
      for (let a = 0; a < mm; a++) dx += (this.k[i * mm + a] as number) * (this.y[a] as number);
      this.x[i] = (this.x[i] as number) + dx;
      for (let j = i; j < N; j++) {
        let kh = 0;
        for (let a = 0; a < mm; a++) kh += (this.k[i * mm + a] as number) * (this.hp[a * N + j] as number);
        const v = (P[i * N + j] as number) - kh;
        P[i * N + j] = v;
        P[j * N + i] = v;
      }
    }
    this.x[S.roll] = wrapAngle(this.x[S.roll] as number);
    this.x[S.pitch] = wrapAngle(this.x[S.pitch] as number);
    this.x[S.yaw] = wrapAngle(this.x[S.yaw] as number);
    this.constrain();
    return { kind: 'applied', mahalanobis };
  }

  private isValid(m: Measurement): boolean {
    const mm = m.indices.length;
    if (mm === 0 || mm > N || m.values.length !== mm || m.covariance.length !== mm * mm) return false;
    for (let a = 0; a < mm; a++) {
      const i = m.indices[a] as number;
      if (!Number.isInteger(i) || i < 0 || i >= N || !Number.isFinite(m.values[a])) return false;
    }
    const r = this.sMat;
    for (let a = 0; a < mm; a++) {
      for (let b = 0; b < mm; b++) {
        const v = m.covariance[a * mm + b] as number;
        if (!Number.isFinite(v) || Math.abs(v - (m.covariance[b * mm + a] as number)) > 1e-9 * Math.max(1, Math.abs(v)))
          return false;
        r[a * mm + b] = v;
      }
      r[a * mm + a] = (r[a * mm + a] as number) + 1e-12;
    }
    return cholesky(r, mm);
  }

  /** The positions where F can be non-zero (identity, the motion terms): fixed by the model, listed once. */
  private buildPattern(): void {
    const maybe = new Uint8Array(N * N);
    for (let i = 0; i < N; i++) maybe[i * N + i] = 1;
    for (let i = 0; i < 3; i++) {
      for (const k of [S.roll, S.pitch, S.yaw, S.vx, S.vy, S.vz, S.ax, S.ay, S.az]) maybe[i * N + k] = 1;
    }
    for (const [r, c] of [
      [S.roll, S.pitch],
      [S.roll, S.vroll],
      [S.roll, S.vpitch],
      [S.roll, S.vyaw],
      [S.pitch, S.roll],
      [S.pitch, S.vpitch],
      [S.pitch, S.vyaw],
      [S.yaw, S.roll],
      [S.yaw, S.pitch],
      [S.yaw, S.vpitch],
      [S.yaw, S.vyaw],
      [S.vx, S.ax],
      [S.vy, S.ay],
      [S.vz, S.az],
    ] as const) {
      maybe[r * N + c] = 1;
    }
    for (let i = 0; i < N; i++) {
      let c = 0;
      for (let k = 0; k < N; k++) if (maybe[i * N + k] === 1) this.nzCol[i * N + c++] = k;
      this.nzCount[i] = c;
    }
  }

  /**
   * Re-initialises the fields a measurement observes to its values and
   * variances, uncorrelated with the rest, and returns `widen` fields to zero
   * with their initial variance, or `widenVariance` if larger (what a diverged
   * filter most likely got wrong, such as the velocity that carried the
   * position away). For recovery, not for fusion.
   */
  reinitialise(m: Measurement, widen: readonly number[] = [], widenVariance = 0): boolean {
    if (!this.isValid(m)) return false;
    const P = this.P;
    const clear = (i: number, variance: number): void => {
      for (let j = 0; j < N; j++) {
        P[i * N + j] = 0;
        P[j * N + i] = 0;
      }
      P[i * N + i] = variance;
    };
    const mm = m.indices.length;
    for (let a = 0; a < mm; a++) {
      const i = m.indices[a] as number;
      this.x[i] = m.values[a] as number;
      clear(i, m.covariance[a * mm + a] as number);
    }
    // A widened field is unknown again: zero (its prior) with at least its initial variance. Keeping the old
    // value would keep what most likely carried the estimate away (a velocity integrated blind through an outage).
    for (const i of widen) {
      if (m.indices.includes(i)) continue;
      this.x[i] = 0;
      clear(i, Math.max(this.config.initialCovariance[i] as number, widenVariance));
    }
    this.constrain();
    return true;
  }

  /** Variance of one field. */
  variance(field: number): number {
    return this.P[field * N + field] as number;
  }

  /**
   * Keeps the covariance usable: in 2D mode the out-of-plane fields are held
   * at zero with a tiny fixed variance and no correlation; diagonals never go
   * below a floor, so rounding cannot make P indefinite.
   */
  private constrain(): void {
    const P = this.P;
    if (this.config.twoD) {
      for (const i of OUT_OF_PLANE) {
        this.x[i] = 0;
        for (let j = 0; j < N; j++) {
          P[i * N + j] = 0;
          P[j * N + i] = 0;
        }
        P[i * N + i] = 1e-9;
      }
    }
    for (let i = 0; i < N; i++) if (!((P[i * N + i] as number) >= 1e-12)) P[i * N + i] = 1e-12;
  }
}
