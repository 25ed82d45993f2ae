import {
  EnuFrame,
  poseTopic,
  quaternionToYaw,
  sensorTopic,
  yawToQuaternion,
  type Component,
  type ComponentContext,
  type GnssFix,
  type ImuSample,
  type Odometry,
  type Subscription,
  type TimerHandle,
} from '../../runtime/index.js';
import type { Mission } from '../../missions/index.js';

/**
 * The interim pose source: odometry when the mission has it, else GNSS
 * converted to the mission's ENU frame, with yaw from odometry or the IMU's
 * orientation and velocity from odometry or successive GNSS fixes. It does
 * not fuse or gate; the EKF replaces it. It does tell the truth about age: it
 * stops publishing and reports `source.stale` when its inputs go quiet, so the
 * guard's staleness rule and the failsafes see a lost pose as lost.
 */
export class PassthroughEstimator implements Component {
  readonly name = 'estimator';
  readonly dependsOn: readonly string[];
  private readonly frame: EnuFrame | undefined;
  private readonly subs: Subscription[] = [];
  private timer: TimerHandle | undefined;
  private position: { x: number; y: number; z: number; stampMs: number; varXY: number; varZ: number } | undefined;
  private prevGnss: { x: number; y: number; z: number; stampMs: number } | undefined;
  private velocity = { x: 0, y: 0, z: 0 };
  private yawRad = 0;
  private yawRateRps = 0;
  private readonly staleAfterMs: number;
  private stale = false;

  constructor(
    private readonly mission: Mission,
    private readonly rateHz = 20,
  ) {
    const o = mission.origin;
    this.frame = o === undefined ? undefined : new EnuFrame({ latDeg: o.lat, lonDeg: o.lon, altM: o.altM });
    const inputs = mission.sensors.filter((s) => s.type === 'gnss' || s.type === 'odometry' || s.type === 'imu');
    this.dependsOn = [];
    const positionSensors = inputs.filter((s) => s.type !== 'imu');
    this.staleAfterMs =
      mission.guardrails.staleSensor?.afterMs ??
      Math.max(500, ...positionSensors.map((s) => s.staleAfterMs ?? (5 * 1000) / s.rateHz));
  }

  start(ctx: ComponentContext): void {
    const useOdometry = this.mission.sensors.some((s) => s.type === 'odometry');
    for (const s of this.mission.sensors) {
      const opts = { subscriber: this.name };
      if (s.type === 'odometry')
        this.subs.push(
          ctx.bus.subscribe(sensorTopic('odometry', s.id), (m) => this.onOdometry(m.data, m.stampMs), opts),
        );
      if (s.type === 'gnss' && !useOdometry)
        this.subs.push(ctx.bus.subscribe(sensorTopic('gnss', s.id), (m) => this.onGnss(m.data, m.stampMs), opts));
      if (s.type === 'imu')
        this.subs.push(ctx.bus.subscribe(sensorTopic('imu', s.id), (m) => this.onImu(m.data), opts));
    }
    if (!useOdometry && this.frame === undefined && this.mission.sensors.some((s) => s.type === 'gnss')) {
      ctx.health.degraded('GNSS needs the mission origin to become a local position', 'estimator.no_origin');
    }
    this.timer = ctx.clock.setInterval(() => this.publish(ctx), 1000 / this.rateHz);
  }

  stop(): void {
    this.timer?.cancel();
    for (const s of this.subs) s.unsubscribe();
  }

  private onOdometry(m: Odometry, stampMs: number): void {
    this.yawRad = quaternionToYaw(m.orientation);
    this.position = {
      x: m.positionM.x,
      y: m.positionM.y,
      z: m.positionM.z,
      stampMs,
      varXY: m.poseCovariance[0] ?? 0.01,
      varZ: m.poseCovariance[14] ?? 0.01,
    };
    // Odometry twist is in the body frame; the pose message carries ENU velocity.
    const c = Math.cos(this.yawRad);
    const s = Math.sin(this.yawRad);
    const v = m.linearVelocityMps;
    this.velocity = { x: c * v.x - s * v.y, y: s * v.x + c * v.y, z: v.z };
    this.yawRateRps = m.angularVelocityRps.z;
  }

  private onGnss(m: GnssFix, stampMs: number): void {
    if (this.frame === undefined || m.status < 0) return;
    const e = this.frame.toEnu(m.latDeg, m.lonDeg, m.altM);
    const prev = this.prevGnss;
    if (prev !== undefined && stampMs > prev.stampMs) {
      const dt = (stampMs - prev.stampMs) / 1000;
      // Light smoothing: GNSS noise differentiated at 5 Hz is loud.
      const a = 0.5;
      this.velocity = {
        x: a * ((e.x - prev.x) / dt) + (1 - a) * this.velocity.x,
        y: a * ((e.y - prev.y) / dt) + (1 - a) * this.velocity.y,
        z: a * ((e.z - prev.z) / dt) + (1 - a) * this.velocity.z,
      };
    }
    this.prevGnss = { x: e.x, y: e.y, z: e.z, stampMs };
    this.position = {
      x: e.x,
      y: e.y,
      z: e.z,
      stampMs,
      varXY: m.positionCovariance[0] ?? 1,
      varZ: m.positionCovariance[8] ?? 4,
    };
  }

  private onImu(m: ImuSample): void {
    if (m.orientation !== undefined) this.yawRad = quaternionToYaw(m.orientation);
    this.yawRateRps = m.angularVelocityRps.z;
  }

  private publish(ctx: ComponentContext): void {
    const p = this.position;
    if (p === undefined) return;
    const ageMs = ctx.clock.nowMs() - p.stampMs;
    if (ageMs > this.staleAfterMs) {
      if (!this.stale) {
        this.stale = true;
        ctx.health.degraded(`no position input for ${(ageMs / 1000).toFixed(1)} s`, 'source.stale');
      }
      return;
    }
    if (this.stale) {
      this.stale = false;
      ctx.health.ok();
    }
    const cov = new Array<number>(36).fill(0);
    cov[0] = p.varXY;
    cov[7] = p.varXY;
    cov[14] = p.varZ;
    cov[35] = 0.01;
    ctx.bus.publish(
      poseTopic,
      {
        frameId: 'map',
        positionM: { x: p.x, y: p.y, z: p.z },
        orientation: yawToQuaternion(this.yawRad),
        yawRad: this.yawRad,
        poseCovariance: cov,
        linearVelocityMps: this.velocity,
        yawRateRps: this.yawRateRps,
        source: 'passthrough',
      },
      // The pose is as old as the measurement it came from, not the tick that republished it.
      p.stampMs,
    );
  }
}
