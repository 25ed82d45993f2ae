import {
  EnuFrame,
  eventsTopic,
  poseTopic,
  queue,
  sensorTopic,
  yawToQuaternion,
  type Component,
  type ComponentContext,
  type Subscription,
  type TimerHandle,
} from '../../runtime/index.js';
import type { Mission } from '../../missions/index.js';
import type { EkfConfig } from './ekf.js';
import { checkStamp, RejectionCounter, type RejectReason } from './hygiene.js';
import { LaggedFilter } from './lagged-filter.js';
import { fromGnss, fromImu, fromOdometry, type Built } from './measurements.js';
import { S, type StateField } from './state.js';

/** robot_localization's default process noise (params/ekf.yaml), per second. */
export const DEFAULT_PROCESS_NOISE: readonly number[] = [
  0.05, 0.05, 0.06, 0.03, 0.03, 0.06, 0.025, 0.025, 0.04, 0.01, 0.01, 0.02, 0.01, 0.01, 0.015,
];
/**
 * Off the ground (3D): a multirotor banks into a turn in a tenth of a second,
 * so its angular rates must be free to change between two IMU samples (about
 * 1 rad/s² per sample). With the ground defaults (0.01-0.02 per second) a
 * 100 Hz gyro sees every manoeuvre as a 20σ outlier, the gate drops it, and
 * the attitude drifts. Velocities and accelerations keep the ground values:
 * with no accelerometer fused, a free acceleration state random-walks and
 * turns GNSS height noise into vertical speed (±1 m/s on a landed drone).
 */
export const AERIAL_PROCESS_NOISE: readonly number[] = [
  0.05, 0.05, 0.06, 0.03, 0.03, 0.06, 0.025, 0.025, 0.04, 1, 1, 1, 0.01, 0.01, 0.015,
];
/**
 * The same with the accelerometer fused (an IMU sensor whose `fuse` lists ax,
 * ay, az): the accelerations are measured at 100 Hz, so they get the rates'
 * freedom, and a hard stop (a 3 m/s² step) passes the gate. With 0.01 the
 * accelerometer was gated through every manoeuvre and seed 7 drifted to 8 m RMS.
 */
export const AERIAL_ACCEL_PROCESS_NOISE: readonly number[] = [
  0.05, 0.05, 0.06, 0.03, 0.03, 0.06, 0.025, 0.025, 0.04, 1, 1, 1, 1, 1, 1,
];
/** Wide initial uncertainty: the first GNSS fix or odometry pose decides where we are. */
export const DEFAULT_INITIAL_COVARIANCE: readonly number[] = [1e4, 1e4, 1e4, 1, 1, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1];

const DEFAULT_FUSE: Readonly<Record<'gnss' | 'odometry' | 'imu', readonly StateField[]>> = {
  gnss: ['x', 'y', 'z'],
  odometry: ['vx', 'vy', 'vyaw'],
  imu: ['roll', 'pitch', 'yaw', 'vroll', 'vpitch', 'vyaw'],
};

/**
 * An absolute position source gated this long without a break means the
 * filter, not the sensor, is wrong (a burst of bad IMU data bent it):
 * Mahalanobis gating alone would keep refusing the truth forever. The filter
 * is re-initialised from that source, velocities and accelerations widened.
 * A gated first fix after a silence longer than the source's staleAfterMs (a
 * GNSS outage, through which the filter predicted blind) resets at once, as
 * PX4's EKF2 resets to GNSS when GNSS fusion resumes after a timeout: the 2 s
 * wait would publish 2 s of a pose known to be wrong.
 */
export const DIVERGED_AFTER_MS = 2000;

/** Ground, aerial, or aerial with an accelerometer in the filter. */
function defaultProcessNoise(
  twoD: boolean,
  sensors: readonly { type: string; fuse: ReadonlySet<StateField> }[],
): readonly number[] {
  if (twoD) return DEFAULT_PROCESS_NOISE;
  const accel = sensors.some((s) => s.type === 'imu' && (['ax', 'ay', 'az'] as const).some((f) => s.fuse.has(f)));
  return accel ? AERIAL_ACCEL_PROCESS_NOISE : AERIAL_PROCESS_NOISE;
}
const WIDEN_ON_RESET: readonly number[] = [S.vx, S.vy, S.vz, S.ax, S.ay, S.az];
/** Their variance after a reset: σ 5 m/s and 5 m/s², so the next fixes set them (a drone cruises at 10 m/s). */
const RESET_MOTION_VARIANCE = 25;

const POSITION_FIELDS: ReadonlySet<StateField> = new Set(['x', 'y']);
// Dead reckoning needs a measured linear velocity (wheel or visual odometry): integrating IMU rates and
// accelerations alone drifts by tens of metres in seconds, which is worse than admitting the pose is lost.
const MOTION_FIELDS: ReadonlySet<StateField> = new Set(['vx', 'vy']);

interface SensorState {
  readonly id: string;
  readonly type: 'gnss' | 'odometry' | 'imu';
  readonly fuse: ReadonlySet<StateField>;
  readonly staleAfterMs: number;
  /** Measures absolute position (x or y in the map frame): what a diverged filter is reset from. */
  readonly absolute: boolean;
  lastAcceptedMs: number | undefined;
  stale: boolean;
  /** Stamp of the first of an unbroken run of gated measurements from this sensor. */
  gatedSinceMs: number | undefined;
}

export interface EstimatorStats {
  readonly applied: number;
  readonly gated: number;
  /** Divergence recoveries (see `DIVERGED_AFTER_MS`). */
  readonly resets: number;
  readonly replayed: number;
  readonly tooLate: number;
  readonly rejected: Record<string, Partial<Record<RejectReason, number>>>;
  readonly staleSensors: readonly string[];
}

/**
 * The state estimator: mission sensors → hygiene → lagged EKF → pose at a
 * fixed rate. Pure parts (filter, hygiene, measurement building) live in their
 * own files; this is the bus adapter. When every absolute position source has
 * gone quiet it dead-reckons on odometry and IMU for at most
 * `maxDeadReckoningMs` (health `estimator.dead_reckoning`), then stops
 * publishing (health `source.stale`): past that, a pose nobody measures is a guess.
 */
export class EkfEstimator implements Component {
  readonly name = 'estimator';
  readonly filter: LaggedFilter;
  private readonly sensors: SensorState[];
  private readonly frame: EnuFrame | undefined;
  private readonly rejections = new RejectionCounter();
  private readonly subs: Subscription[] = [];
  private timer: TimerHandle | undefined;
  private readonly twoD: boolean;
  private readonly historyMs: number;
  private mode: 'stale' | 'fused' | 'dead_reckoning' | undefined;
  private lastPositionMs: number | undefined;
  private readonly maxDeadReckoningMs: number;

  constructor(private readonly mission: Mission) {
    const cfg = mission.estimator;
    this.twoD = cfg.twoD ?? mission.platform.kind === 'ground';
    this.historyMs = cfg.historyMs;
    this.maxDeadReckoningMs = cfg.maxDeadReckoningMs;
    this.sensors = mission.sensors.flatMap((s): SensorState[] => {
      if (s.type !== 'gnss' && s.type !== 'odometry' && s.type !== 'imu') return [];
      const fuse = new Set<StateField>(s.fuse ?? DEFAULT_FUSE[s.type]);
      return [
        {
          id: s.id,
          type: s.type,
          fuse,
          staleAfterMs: s.staleAfterMs ?? Math.max(500, 5000 / s.rateHz),
          absolute: [...fuse].some((f) => POSITION_FIELDS.has(f)),
          lastAcceptedMs: undefined,
          stale: false,
          gatedSinceMs: undefined,
        },
      ];
    });
    const ekf: EkfConfig = {
      twoD: this.twoD,
      processNoise: cfg.processNoise ?? defaultProcessNoise(this.twoD, this.sensors),
      initialCovariance: DEFAULT_INITIAL_COVARIANCE,
      gateSigma: cfg.gateSigma,
    };
    this.filter = new LaggedFilter(ekf, { historyMs: cfg.historyMs });
    const o = mission.origin;
    this.frame = o === undefined ? undefined : new EnuFrame({ latDeg: o.lat, lonDeg: o.lon, altM: o.altM });
  }

  start(ctx: ComponentContext): void {
    if (this.sensors.some((s) => s.type === 'gnss') && this.frame === undefined) {
      ctx.health.degraded('GNSS cannot be fused without the mission origin', 'estimator.no_origin');
    }
    for (const s of this.sensors) {
      // A short queue, not `latest`: every IMU sample matters to the filter.
      const opts = { policy: queue(64), subscriber: this.name };
      if (s.type === 'gnss') {
        this.subs.push(
          ctx.bus.subscribe(
            sensorTopic('gnss', s.id),
            (m) =>
              this.fuse(ctx, s, m.stampMs, () =>
                this.frame === undefined
                  ? { ok: false, reason: 'impossible' }
                  : fromGnss(s.id, m.stampMs, m.data, this.frame, s.fuse),
              ),
            opts,
          ),
        );
      } else if (s.type === 'odometry') {
        this.subs.push(
          ctx.bus.subscribe(
            sensorTopic('odometry', s.id),
            (m) => this.fuse(ctx, s, m.stampMs, () => fromOdometry(s.id, m.stampMs, m.data, s.fuse)),
            opts,
          ),
        );
      } else {
        this.subs.push(
          ctx.bus.subscribe(
            sensorTopic('imu', s.id),
            (m) => {
              const x = this.filter.ekf.x;
              this.fuse(ctx, s, m.stampMs, () =>
                fromImu(
                  s.id,
                  m.stampMs,
                  m.data,
                  {
                    roll: x[S.roll] as number,
                    pitch: x[S.pitch] as number,
                    vx: x[S.vx] as number,
                    vy: x[S.vy] as number,
                    vz: x[S.vz] as number,
                  },
                  s.fuse,
                ),
              );
            },
            opts,
          ),
        );
      }
    }
    this.timer = ctx.clock.setInterval(() => this.publish(ctx), 1000 / this.mission.estimator.rateHz);
  }

  stop(): void {
    this.timer?.cancel();
    for (const s of this.subs) s.unsubscribe();
  }

  stats(): EstimatorStats {
    const c = this.filter.counters;
    return {
      applied: c.applied,
      gated: c.gated,
      resets: c.resets,
      replayed: c.replayed,
      tooLate: c.tooLate,
      rejected: this.rejections.toJSON(),
      staleSensors: this.sensors.filter((s) => s.stale).map((s) => s.id),
    };
  }

  private fuse(
    ctx: ComponentContext,
    sensor: SensorState,
    stampMs: number,
    build: () => Built | readonly Built[],
  ): void {
    const stampProblem = checkStamp(stampMs, ctx.clock.nowMs(), { futureToleranceMs: 100, maxAgeMs: this.historyMs });
    if (stampProblem !== undefined) {
      this.rejections.add(sensor.id, stampProblem);
      return;
    }
    const made = build();
    for (const built of Array.isArray(made) ? (made as readonly Built[]) : [made as Built]) {
      if (!built.ok) {
        this.rejections.add(sensor.id, built.reason);
        continue;
      }
      // Back from silence (an outage): the filter has been predicting blind since, so the first fix outranks it.
      const silenceMs = sensor.lastAcceptedMs === undefined ? 0 : stampMs - sensor.lastAcceptedMs;
      const returning = silenceMs > sensor.staleAfterMs;
      const result = this.filter.add(built.measurement);
      if (result === 'too_late') {
        this.rejections.add(sensor.id, 'too_old');
        continue;
      }
      // Gated measurements still prove the sensor is alive; staleness is about silence, gating about disagreement.
      if (result.kind === 'applied' || result.kind === 'gated') {
        sensor.lastAcceptedMs = Math.max(sensor.lastAcceptedMs ?? -Infinity, stampMs);
      }
      if (result.kind !== 'gated') {
        sensor.gatedSinceMs = undefined;
      } else if (sensor.absolute) {
        sensor.gatedSinceMs ??= stampMs;
        const gatedForMs = stampMs - sensor.gatedSinceMs;
        if (
          (returning || gatedForMs >= DIVERGED_AFTER_MS) &&
          this.filter.reset(built.measurement, WIDEN_ON_RESET, RESET_MOTION_VARIANCE)
        ) {
          sensor.gatedSinceMs = undefined;
          const why = returning
            ? `${sensor.id} back after ${(silenceMs / 1000).toFixed(1)} s of silence disagrees with the estimate`
            : `${sensor.id} gated for ${DIVERGED_AFTER_MS} ms`;
          ctx.logger.warn(
            { sensor: sensor.id, mahalanobis: result.mahalanobis, returning },
            'estimate diverged from an absolute position source: filter re-initialised from it',
          );
          ctx.bus.publish(eventsTopic, {
            kind: 'estimator.reset',
            severity: 'warning',
            message: `${why}: filter re-initialised from it`,
            data: { sensor: sensor.id, returning },
          });
        }
      }
    }
  }

  private publish(ctx: ComponentContext): void {
    const now = ctx.clock.nowMs();
    for (const s of this.sensors) {
      const stale = s.lastAcceptedMs === undefined || now - s.lastAcceptedMs > s.staleAfterMs;
      if (stale && !s.stale && s.lastAcceptedMs !== undefined) {
        ctx.bus.publish(eventsTopic, {
          kind: 'source.stale',
          severity: 'warning',
          message: `${s.id}: no usable data for ${s.staleAfterMs} ms`,
          data: { sensor: s.id },
        });
      }
      s.stale = stale;
    }
    const positionLive = this.sensors.some((s) => !s.stale && [...s.fuse].some((f) => POSITION_FIELDS.has(f)));
    const motionLive = this.sensors.some((s) => !s.stale && [...s.fuse].some((f) => MOTION_FIELDS.has(f)));
    // Without an absolute position (a GNSS outage), the filter dead-reckons on odometry and IMU, as
    // robot_localization does, for at most maxDeadReckoningMs; the covariance it publishes grows meanwhile.
    if (positionLive) this.lastPositionMs = now;
    const deadReckoningMs = this.lastPositionMs === undefined ? Infinity : now - this.lastPositionMs;
    const hasPositionSource = this.sensors.some((s) => [...s.fuse].some((f) => POSITION_FIELDS.has(f)));
    const live = positionLive || (motionLive && (!hasPositionSource || deadReckoningMs <= this.maxDeadReckoningMs));
    const mode = !live ? 'stale' : positionLive || !hasPositionSource ? 'fused' : 'dead_reckoning';
    if (mode !== this.mode) {
      this.mode = mode;
      if (mode === 'stale') ctx.health.degraded('no position source and dead reckoning exhausted', 'source.stale');
      else if (mode === 'dead_reckoning')
        ctx.health.degraded('no absolute position: dead reckoning on odometry and IMU', 'estimator.dead_reckoning');
      else ctx.health.ok();
    }
    if (!live) return;
    const est = this.filter.estimateAt(now);
    if (est === undefined) return;
    let measuredAtMs: number | undefined;
    for (const sn of this.sensors) {
      const informs = [...sn.fuse].some((f) => POSITION_FIELDS.has(f) || MOTION_FIELDS.has(f));
      if (informs && sn.lastAcceptedMs !== undefined)
        measuredAtMs = Math.max(measuredAtMs ?? -Infinity, sn.lastAcceptedMs);
    }
    const x = est.x;
    const P = est.P;
    const cov = new Array<number>(36);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) cov[i * 6 + j] = P[i * 15 + j] as number;
    const yaw = x[S.yaw] as number;
    const c = Math.cos(yaw);
    const sn = Math.sin(yaw);
    const vx = x[S.vx] as number;
    const vy = x[S.vy] as number;
    ctx.bus.publish(
      poseTopic,
      {
        frameId: 'map',
        positionM: { x: x[S.x] as number, y: x[S.y] as number, z: x[S.z] as number },
        orientation: yawToQuaternion(yaw),
        yawRad: yaw,
        poseCovariance: cov,
        linearVelocityMps: { x: c * vx - sn * vy, y: sn * vx + c * vy, z: x[S.vz] as number },
        yawRateRps: x[S.vyaw] as number,
        source: 'ekf',
        ...(measuredAtMs === undefined ? {} : { measuredAtMs }),
      },
      now,
    );
  }
}
