import { quaternionToYaw, type EnuFrame, type GnssFix, type ImuSample, type Odometry } from '../../runtime/index.js';
import type { Measurement } from './ekf.js';
import { allFinite, isUsableCovariance, type RejectReason } from './hygiene.js';
import { S, type StateField } from './state.js';

export type Built =
  { readonly ok: true; readonly measurement: Measurement } | { readonly ok: false; readonly reason: RejectReason };

const GRAVITY_MPS2 = 9.80665;

/** Picks the requested fields out of a full measurement (values + diagonal/cross covariance). */
function select(
  sensor: string,
  timeMs: number,
  available: readonly { field: StateField; value: number }[],
  fullCov: (a: number, b: number) => number,
  fuse: ReadonlySet<StateField>,
): Built {
  const chosen = available.map((f, i) => ({ ...f, i })).filter((f) => fuse.has(f.field));
  if (chosen.length === 0) return { ok: false, reason: 'impossible' };
  const values = chosen.map((c) => c.value);
  if (!allFinite(values)) return { ok: false, reason: 'non_finite' };
  const m = chosen.length;
  const cov = new Array<number>(m * m);
  for (let a = 0; a < m; a++)
    for (let b = 0; b < m; b++)
      cov[a * m + b] = fullCov((chosen[a] as { i: number }).i, (chosen[b] as { i: number }).i);
  if (!isUsableCovariance(cov, m)) return { ok: false, reason: 'bad_covariance' };
  // A zero variance would claim a perfect sensor and freeze the filter; floor it.
  for (let a = 0; a < m; a++) cov[a * m + a] = Math.max(cov[a * m + a] as number, 1e-6);
  return { ok: true, measurement: { timeMs, sensor, indices: chosen.map((c) => S[c.field]), values, covariance: cov } };
}

/** GNSS → position in the mission's ENU frame. NO_FIX and impossible coordinates are refused. */
export function fromGnss(
  sensor: string,
  stampMs: number,
  fix: GnssFix,
  frame: EnuFrame,
  fuse: ReadonlySet<StateField>,
): Built {
  if (fix.status < 0) return { ok: false, reason: 'no_fix' };
  if (!allFinite([fix.latDeg, fix.lonDeg, fix.altM])) return { ok: false, reason: 'non_finite' };
  if (Math.abs(fix.latDeg) > 90 || Math.abs(fix.lonDeg) > 180) return { ok: false, reason: 'impossible' };
  const e = frame.toEnu(fix.latDeg, fix.lonDeg, fix.altM);
  // NavSatFix covariance is ENU already (row-major 3x3).
  const c = fix.positionCovariance;
  return select(
    sensor,
    stampMs,
    [
      { field: 'x', value: e.x },
      { field: 'y', value: e.y },
      { field: 'z', value: e.z },
    ],
    (a, b) => c[a * 3 + b] ?? 0,
    fuse,
  );
}

/** Odometry → pose (map frame assumed equal to odom) and body-frame twist. */
export function fromOdometry(sensor: string, stampMs: number, o: Odometry, fuse: ReadonlySet<StateField>): Built {
  const q = o.orientation;
  const yaw = quaternionToYaw(q);
  const roll = Math.atan2(2 * (q.w * q.x + q.y * q.z), 1 - 2 * (q.x * q.x + q.y * q.y));
  const pitch = Math.asin(Math.max(-1, Math.min(1, 2 * (q.w * q.y - q.z * q.x))));
  const fields: { field: StateField; value: number }[] = [
    { field: 'x', value: o.positionM.x },
    { field: 'y', value: o.positionM.y },
    { field: 'z', value: o.positionM.z },
    { field: 'roll', value: roll },
    { field: 'pitch', value: pitch },
    { field: 'yaw', value: yaw },
    { field: 'vx', value: o.linearVelocityMps.x },
    { field: 'vy', value: o.linearVelocityMps.y },
    { field: 'vz', value: o.linearVelocityMps.z },
    { field: 'vroll', value: o.angularVelocityRps.x },
    { field: 'vpitch', value: o.angularVelocityRps.y },
    { field: 'vyaw', value: o.angularVelocityRps.z },
  ];
  // Pose covariance (6x6) covers fields 0..5, twist covariance fields 6..11; no cross terms between them.
  const cov = (a: number, b: number): number => {
    if (a < 6 && b < 6) return o.poseCovariance[a * 6 + b] ?? 0;
    if (a >= 6 && b >= 6) return o.twistCovariance[(a - 6) * 6 + (b - 6)] ?? 0;
    return 0;
  };
  return select(sensor, stampMs, fields, cov, fuse);
}

/** What turning an IMU sample into filter terms needs from the current estimate: attitude and body velocity. */
export interface ImuContext {
  readonly roll: number;
  readonly pitch: number;
  readonly vx: number;
  readonly vy: number;
  readonly vz: number;
}

/**
 * IMU → up to three measurements, as robot_localization splits `imu0` into
 * pose, twist and linear acceleration, each gated on its own: orientation
 * (when the IMU provides one), body angular velocity, and body linear
 * acceleration with gravity removed using the current attitude (the IMU
 * measures specific force: at rest it reads +g upwards). Fused as one vector,
 * a sharp change of angular rate (a multirotor banking into a turn) fails the
 * Mahalanobis gate and takes the orientation down with it; the attitude then
 * drifts on stale rates and the whole pose with it.
 */
export function fromImu(
  sensor: string,
  stampMs: number,
  imu: ImuSample,
  state: ImuContext,
  fuse: ReadonlySet<StateField>,
): Built[] {
  const out: Built[] = [];
  const part = (suffix: string, fields: { field: StateField; value: number }[], variances: readonly number[]): void => {
    if (!fields.some((f) => fuse.has(f.field))) return;
    out.push(select(`${sensor}/${suffix}`, stampMs, fields, (i, j) => (i === j ? (variances[i] ?? 0) : 0), fuse));
  };
  if (imu.orientation !== undefined) {
    const q = imu.orientation;
    part(
      'orientation',
      [
        { field: 'roll', value: Math.atan2(2 * (q.w * q.x + q.y * q.z), 1 - 2 * (q.x * q.x + q.y * q.y)) },
        { field: 'pitch', value: Math.asin(Math.max(-1, Math.min(1, 2 * (q.w * q.y - q.z * q.x)))) },
        { field: 'yaw', value: quaternionToYaw(q) },
      ],
      [0.01, 0.01, 0.05],
    );
  }
  const w = imu.angularVelocityRps;
  part(
    'angular_velocity',
    [
      { field: 'vroll', value: w.x },
      { field: 'vpitch', value: w.y },
      { field: 'vyaw', value: w.z },
    ],
    covDiag(imu.angularVelocityCovariance, 1e-4),
  );
  const a = imu.linearAccelerationMps2;
  const cr = Math.cos(state.roll);
  const sr = Math.sin(state.roll);
  const cp = Math.cos(state.pitch);
  const sp = Math.sin(state.pitch);
  // The filter's a is the rate of change of the body-frame velocity; the accelerometer measures the
  // world-frame one in body axes, which differs by ω × v (a multirotor turning at 1 rad/s at 10 m/s: 10 m/s²).
  const cx = w.y * state.vz - w.z * state.vy;
  const cy = w.z * state.vx - w.x * state.vz;
  const cz = w.x * state.vy - w.y * state.vx;
  // Gravity in the body frame is Rᵀ·[0, 0, g] = g·[−sp, cp·sr, cp·cr].
  part(
    'linear_acceleration',
    [
      { field: 'ax', value: deadband(a.x + GRAVITY_MPS2 * sp - cx) },
      { field: 'ay', value: deadband(a.y - GRAVITY_MPS2 * cp * sr - cy) },
      { field: 'az', value: deadband(a.z - GRAVITY_MPS2 * cp * cr - cz) },
    ],
    covDiag(imu.linearAccelerationCovariance, 0.01),
  );
  if (out.length === 0) out.push({ ok: false, reason: 'impossible' });
  return out;
}

/**
 * An accelerometer's bias (a MEMS part: 0.05-0.2 m/s², wandering) is below
 * this. The filter has no bias state, so a fused bias is integrated into
 * velocity: a landed drone read -0.3 to -0.8 m/s of vertical speed against its
 * GNSS height and never counted as landed. Accelerations inside the band are
 * fused as zero (GNSS carries the slow part); outside it, the band is taken
 * off, so a hard stop or a climb still reaches the filter at once.
 */
export const ACCEL_DEADBAND_MPS2 = 0.2;

function deadband(a: number): number {
  return Math.abs(a) <= ACCEL_DEADBAND_MPS2 ? 0 : a - Math.sign(a) * ACCEL_DEADBAND_MPS2;
}

/** Diagonal of a 3x3 covariance; ROS marks "not provided" with −1 in the first element. */
function covDiag(c: readonly number[] | undefined, fallback: number): [number, number, number] {
  if (c === undefined || c.length < 9 || (c[0] ?? -1) < 0) return [fallback, fallback, fallback];
  return [c[0] ?? fallback, c[4] ?? fallback, c[8] ?? fallback];
}
