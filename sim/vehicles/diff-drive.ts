import { wrapAngle, type Action } from '../../runtime/index.js';
import { Battery } from './battery.js';
import { diffDriveGoto, type DiffDriveGuidance } from './guidance.js';
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
/** Rolling resistance coefficient on concrete or asphalt. */
const ROLLING_COEFF = 0.03;
const DRIVE_EFFICIENCY = 0.75;
/** Electronics, sensors and compute, W. */
const IDLE_W = 40;
/** Hours on a full pack driving at half speed. */
const ENDURANCE_H = 4;

export interface DiffDriveParams {
  readonly maxSpeedMps: number;
  readonly maxYawRateDps: number;
  readonly maxAccelMps2: number;
  readonly wheelBaseM: number;
  /** Body-frame footprint polygon, m; its farthest corner sets the collision radius. */
  readonly footprint?: readonly (readonly [number, number])[];
  /** Default 40. */
  readonly massKg?: number;
  readonly payload?: PayloadSpec;
}

/**
 * A differential-drive ground robot (unicycle kinematics): forward speed and
 * yaw rate with acceleration limits, wheel speeds v ∓ ω·b/2 for odometry, and
 * a collision check that stops it against walls and obstacles.
 */
export class DiffDrive implements SimVehicle {
  readonly kind = 'ground' as const;
  readonly state = new VehicleState();
  readonly battery: Battery;
  readonly payload: Payload;
  readonly radiusM: number;
  private mode: Mode = { kind: 'idle' };
  private readonly massKg: number;
  private readonly maxYawRateRps: number;
  private v = 0;
  private readonly guide: DiffDriveGuidance = { linearMps: 0, yawRateRps: 0, arrived: false };

  constructor(
    private readonly params: DiffDriveParams,
    private readonly env: VehicleEnv,
  ) {
    this.massKg = params.massKg ?? 40;
    this.payload = new Payload(params.payload ?? { kind: 'none', capacity: 0, rangeM: 1 });
    this.radiusM =
      params.footprint === undefined ? 0.4 : Math.max(...params.footprint.map(([x, y]) => Math.hypot(x, y)));
    const cruiseW = IDLE_W + (ROLLING_COEFF * this.massKg * G * 0.5 * params.maxSpeedMps) / DRIVE_EFFICIENCY;
    this.battery = new Battery({ capacityWh: cruiseW * ENDURANCE_H, cells: 12 });
    this.maxYawRateRps = (params.maxYawRateDps * Math.PI) / 180;
    const s = this.state;
    s.x = env.home.x;
    s.y = env.home.y;
    s.yawRad = env.home.yawRad;
    s.landed = true;
    s.wheelBaseM = params.wheelBaseM;
  }

  apply(action: Action, nowS: number): void {
    const s = this.state;
    switch (action.kind) {
      case 'velocity':
        this.mode = {
          kind: 'velocity',
          fx: action.linearMps.x,
          fy: 0,
          fz: 0,
          yawRateRps: action.yawRateRps,
          untilS: nowS + VELOCITY_TIMEOUT_S,
        };
        break;
      case 'goto': {
        const t = gotoTarget(action, this.env.frame);
        this.mode = {
          kind: 'goto',
          x: t.x,
          y: t.y,
          z: undefined,
          speedMps: action.speedMps ?? this.params.maxSpeedMps,
          then: 'hold',
        };
        break;
      }
      case 'return_home':
        this.mode = {
          kind: 'goto',
          x: this.env.home.x,
          y: this.env.home.y,
          z: undefined,
          speedMps: this.params.maxSpeedMps,
          then: 'hold',
        };
        break;
      case 'hold':
      case 'land':
        this.mode = { kind: 'hold', x: s.x, y: s.y, z: 0 };
        break;
      case 'stop':
        this.payload.set(false, nowS);
        this.mode = { kind: 'stop' };
        break;
      case 'payload':
        this.payload.set(action.on, nowS, action.durationS);
        break;
      case 'gimbal':
      case 'custom':
        break;
    }
  }

  step(dtS: number, nowS: number): number {
    const s = this.state;
    const p = this.params;
    let vd = 0;
    let wd = 0;
    if (this.mode.kind === 'velocity' && nowS >= this.mode.untilS) this.mode = { kind: 'stop' };
    const mode = this.mode;
    if (mode.kind === 'velocity') {
      vd = mode.fx;
      wd = mode.yawRateRps;
    } else if (mode.kind === 'goto') {
      const g = diffDriveGoto(
        s.x,
        s.y,
        s.yawRad,
        mode.x,
        mode.y,
        mode.speedMps,
        this.maxYawRateRps,
        p.maxAccelMps2,
        this.guide,
      );
      vd = g.linearMps;
      wd = g.yawRateRps;
      if (g.arrived) this.mode = { kind: 'hold', x: mode.x, y: mode.y, z: 0 };
    }
    if (this.battery.empty) {
      vd = 0;
      wd = 0;
    }
    s.mode = this.mode.kind;
    vd = clamp(vd, -p.maxSpeedMps, p.maxSpeedMps);
    wd = clamp(wd, -this.maxYawRateRps, this.maxYawRateRps);

    const dv = clamp(vd - this.v, -p.maxAccelMps2 * dtS, p.maxAccelMps2 * dtS);
    const maxYawAccel = 3 * this.maxYawRateRps;
    const dw = clamp(wd - s.yawRateRps, -maxYawAccel * dtS, maxYawAccel * dtS);
    const vPrev = this.v;
    this.v += dv;
    s.yawRateRps += dw;
    const yaw = wrapAngle(s.yawRad + s.yawRateRps * dtS);
    const nx = s.x + this.v * Math.cos(yaw) * dtS;
    const ny = s.y + this.v * Math.sin(yaw) * dtS;
    s.collided = this.v !== 0 && this.env.collides(nx, ny, this.radiusM);
    if (s.collided) {
      // Blocked: the wheels stop against the obstacle; the robot may still turn in place.
      this.v = 0;
    } else {
      s.x = nx;
      s.y = ny;
    }
    s.yawRad = yaw;
    const aFwd = (this.v - vPrev) / dtS;
    // World acceleration: tangential along the heading plus centripetal v·ω to the left.
    const aLeft = this.v * s.yawRateRps;
    s.ax = aFwd * Math.cos(yaw) - aLeft * Math.sin(yaw);
    s.ay = aFwd * Math.sin(yaw) + aLeft * Math.cos(yaw);
    s.vx = this.v * Math.cos(yaw);
    s.vy = this.v * Math.sin(yaw);
    s.leftWheelMps = this.v - (s.yawRateRps * p.wheelBaseM) / 2;
    s.rightWheelMps = this.v + (s.yawRateRps * p.wheelBaseM) / 2;

    const tractionW =
      (ROLLING_COEFF * this.massKg * G + this.massKg * Math.max(0, aFwd * Math.sign(this.v))) * Math.abs(this.v);
    this.battery.step(IDLE_W + tractionW / DRIVE_EFFICIENCY, dtS);
    return this.payload.step(dtS, nowS);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
