import { wrapAngle, type Action } from '../../runtime/index.js';
import { Battery } from './battery.js';
import { multirotorGoto, type MultirotorGuidance } from './guidance.js';
import { Payload, type PayloadSpec } from './payload.js';
import {
  VELOCITY_TIMEOUT_S,
  VehicleState,
  gotoTarget,
  type Mode,
  type SimVehicle,
  type VehicleEnv,
} from './vehicle.js';

const G = 9.80665;
/** Velocity loop time constant of the airframe, s: how quickly it chases a velocity setpoint. */
const TAU_S = 0.35;
const TAU_YAW_S = 0.2;
/** Hover power per kilogram of take-off mass, W/kg (typical for 5-25 kg multirotors). */
const HOVER_W_PER_KG = 170;
/** Flight time on a full pack at maximum take-off mass, minutes. */
const ENDURANCE_MIN = 22;
/** Altitude a goto without one climbs to from the ground, m. */
const TAKEOFF_ALT_M = 10;
/** Return-home flies at least this high, m. */
const RETURN_ALT_M = 20;

export interface MultirotorParams {
  readonly maxSpeedMps: number;
  readonly maxClimbMps: number;
  readonly maxYawRateDps: number;
  readonly maxAccelMps2: number;
  /** Dry mass, kg. Default 6. */
  readonly massKg?: number;
  readonly payload?: PayloadSpec;
}

/**
 * A multirotor at velocity/attitude level: it chases a velocity setpoint with
 * a first-order response, clamped to the platform's acceleration, speed, climb
 * and yaw-rate limits; tilt follows from the acceleration it makes. Hover power
 * grows with mass (so a full water tank drains the pack faster), plus drag and
 * climb power.
 */
export class Multirotor implements SimVehicle {
  readonly kind = 'multirotor' as const;
  readonly state = new VehicleState();
  readonly battery: Battery;
  readonly payload: Payload;
  readonly radiusM = 0.6;
  private mode: Mode = { kind: 'idle' };
  private readonly dryKg: number;
  private readonly maxYawRateRps: number;
  private readonly guide: MultirotorGuidance = { vx: 0, vy: 0, vz: 0, headingRad: 0, arrived: false };

  constructor(
    private readonly params: MultirotorParams,
    private readonly env: VehicleEnv,
  ) {
    this.dryKg = params.massKg ?? 6;
    this.payload = new Payload(params.payload ?? { kind: 'none', capacity: 0, rangeM: 1 }, undefined, env.home);
    const maxTakeoffKg = this.dryKg + this.payload.massKg();
    this.battery = new Battery({ capacityWh: (HOVER_W_PER_KG * maxTakeoffKg * ENDURANCE_MIN) / 60, cells: 6 });
    this.maxYawRateRps = (params.maxYawRateDps * Math.PI) / 180;
    this.state.x = env.home.x;
    this.state.y = env.home.y;
    this.state.yawRad = env.home.yawRad;
  }

  apply(action: Action, nowS: number): void {
    const s = this.state;
    switch (action.kind) {
      case 'velocity':
        this.mode = {
          kind: 'velocity',
          fx: action.linearMps.x,
          fy: action.linearMps.y,
          fz: action.linearMps.z,
          yawRateRps: action.yawRateRps,
          untilS: nowS + VELOCITY_TIMEOUT_S,
        };
        break;
      case 'goto': {
        const t = gotoTarget(action, this.env.frame);
        const z = action.altitudeM ?? (s.landed ? TAKEOFF_ALT_M : undefined);
        this.mode = {
          kind: 'goto',
          x: t.x,
          y: t.y,
          z,
          speedMps: action.speedMps ?? this.params.maxSpeedMps,
          then: 'hold',
        };
        break;
      }
      case 'hold':
        this.mode = { kind: 'hold', x: s.x, y: s.y, z: s.z };
        break;
      case 'return_home':
        if (s.landed && Math.hypot(s.x - this.env.home.x, s.y - this.env.home.y) < 0.5) break;
        this.mode = {
          kind: 'goto',
          x: this.env.home.x,
          y: this.env.home.y,
          z: Math.max(s.z, RETURN_ALT_M),
          speedMps: this.params.maxSpeedMps,
          then: 'land',
        };
        break;
      case 'land':
        this.mode = { kind: 'land' };
        break;
      case 'payload':
        this.payload.set(action.on, nowS, action.durationS);
        break;
      case 'stop':
        this.payload.set(false, nowS);
        this.mode = { kind: 'stop' };
        break;
      case 'gimbal':
      case 'custom':
        // No gimbal or custom actions on the simulated airframe yet; the actuator reports them.
        break;
    }
  }

  step(dtS: number, nowS: number): number {
    const s = this.state;
    const p = this.params;
    const cos = Math.cos(s.yawRad);
    const sin = Math.sin(s.yawRad);
    let vxd = 0;
    let vyd = 0;
    let vzd = 0;
    let wd = 0;
    if (this.battery.empty && this.mode.kind !== 'land' && !s.landed) this.mode = { kind: 'land' };
    if (this.mode.kind === 'velocity' && nowS >= this.mode.untilS) this.mode = { kind: 'hold', x: s.x, y: s.y, z: s.z };
    const mode = this.mode;
    switch (mode.kind) {
      case 'idle':
        break;
      case 'velocity':
        // Body FLU to world ENU: yaw only (the setpoint is level, whatever the tilt).
        vxd = cos * mode.fx - sin * mode.fy;
        vyd = sin * mode.fx + cos * mode.fy;
        vzd = mode.fz;
        wd = mode.yawRateRps;
        break;
      case 'goto': {
        const g = multirotorGoto(
          s.x,
          s.y,
          s.z,
          mode.x,
          mode.y,
          mode.z ?? s.z,
          mode.speedMps,
          p.maxClimbMps,
          p.maxAccelMps2,
          this.guide,
        );
        vxd = g.vx;
        vyd = g.vy;
        vzd = g.vz;
        if (!Number.isNaN(g.headingRad)) wd = 1.5 * wrapAngle(g.headingRad - s.yawRad);
        if (g.arrived)
          this.mode =
            mode.then === 'land' ? { kind: 'land' } : { kind: 'hold', x: mode.x, y: mode.y, z: mode.z ?? s.z };
        break;
      }
      case 'hold':
        vxd = 1.0 * (mode.x - s.x);
        vyd = 1.0 * (mode.y - s.y);
        vzd = 1.0 * (mode.z - s.z);
        break;
      case 'land':
        vzd = -(s.z > 3 ? Math.min(p.maxClimbMps, 1.5) : 0.5);
        break;
      case 'stop':
        if (Math.hypot(s.vx, s.vy, s.vz) < 0.05) this.mode = { kind: 'hold', x: s.x, y: s.y, z: s.z };
        break;
    }
    s.mode = this.mode.kind;

    const released = this.payload.step(dtS, nowS);
    if (s.landed && vzd <= 0) {
      // On the ground: motors idle, nothing moves.
      s.vx = s.vy = s.vz = s.ax = s.ay = s.az = 0;
      s.yawRateRps = s.rollRateRps = s.pitchRateRps = s.rollRad = s.pitchRad = 0;
      this.battery.step(5, dtS);
      // Motors idle on the pad: the base crew can fill the tank.
      this.payload.refill(dtS, true, s.x, s.y);
      return released;
    }
    s.landed = false;

    // Limits: horizontal speed, climb, yaw rate.
    const hd = Math.hypot(vxd, vyd);
    if (hd > p.maxSpeedMps) {
      vxd *= p.maxSpeedMps / hd;
      vyd *= p.maxSpeedMps / hd;
    }
    vzd = clamp(vzd, -p.maxClimbMps, p.maxClimbMps);
    wd = clamp(wd, -this.maxYawRateRps, this.maxYawRateRps);

    // First-order velocity response, acceleration clamped (horizontal as a vector).
    let ax = (vxd - s.vx) / TAU_S;
    let ay = (vyd - s.vy) / TAU_S;
    const ah = Math.hypot(ax, ay);
    if (ah > p.maxAccelMps2) {
      ax *= p.maxAccelMps2 / ah;
      ay *= p.maxAccelMps2 / ah;
    }
    // Never step past the setpoint: at small dt the first-order law already guarantees it, this keeps large dt stable.
    if (Math.abs(ax * dtS) > Math.abs(vxd - s.vx)) ax = (vxd - s.vx) / dtS;
    if (Math.abs(ay * dtS) > Math.abs(vyd - s.vy)) ay = (vyd - s.vy) / dtS;
    const az = clamp((vzd - s.vz) / TAU_S, -p.maxAccelMps2, p.maxAccelMps2);
    s.vx += ax * dtS;
    s.vy += ay * dtS;
    s.vz += az * dtS;
    s.x += s.vx * dtS;
    s.y += s.vy * dtS;
    s.z += s.vz * dtS;
    s.ax = ax;
    s.ay = ay;
    s.az = az;

    const maxYawAccel = 4 * this.maxYawRateRps;
    const yawAcc = clamp((wd - s.yawRateRps) / TAU_YAW_S, -maxYawAccel, maxYawAccel);
    s.yawRateRps = clamp(s.yawRateRps + yawAcc * dtS, -this.maxYawRateRps, this.maxYawRateRps);
    s.yawRad = wrapAngle(s.yawRad + s.yawRateRps * dtS);

    if (s.z <= 0 && s.vz <= 0) {
      s.z = 0;
      s.vz = 0;
      s.az = 0;
      if (this.mode.kind === 'land' || this.battery.empty) {
        s.landed = true;
        s.vx = s.vy = 0;
        this.mode = { kind: 'idle' };
        s.mode = 'idle';
      }
    }

    // Tilt that makes this acceleration: nose down (positive pitch, FLU) to speed up forward.
    const aFwd = ax * Math.cos(s.yawRad) + ay * Math.sin(s.yawRad);
    const aLeft = -ax * Math.sin(s.yawRad) + ay * Math.cos(s.yawRad);
    const pitch = Math.atan2(aFwd, G + az);
    const roll = Math.atan2(-aLeft, G + az);
    s.pitchRateRps = (pitch - s.pitchRad) / dtS;
    s.rollRateRps = (roll - s.rollRad) / dtS;
    s.pitchRad = pitch;
    s.rollRad = roll;

    const massKg = this.dryKg + this.payload.massKg();
    const speed = Math.hypot(s.vx, s.vy);
    const powerW = HOVER_W_PER_KG * massKg * (1 + 0.004 * speed * speed) + (Math.max(0, s.vz) * massKg * G) / 0.6;
    this.battery.step(powerW, dtS);
    return released;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
