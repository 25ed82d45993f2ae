import { wrapAngle, yawToQuaternion, type Odometry } from '../../runtime/index.js';
import type { RandomStream } from '../random.js';
import type { SimWorld } from '../world.js';
import { diagonal, type SimSensor } from './sensor.js';

export interface OdometryOptions {
  /** Wheel-speed scale error sigma (tyre wear, calibration), fraction. */
  readonly scaleErrorSigma?: number;
  /** White noise on each measured speed, m/s (wheels) or on body velocity (visual odometry). */
  readonly speedNoiseMps?: number;
  readonly yawRateNoiseRps?: number;
  readonly dropout?: number;
  readonly latencyMs?: number;
}

/**
 * Odometry as nav_msgs/Odometry. A ground robot integrates noisy wheel speeds
 * with a fixed scale error per wheel (so the pose drifts as a real one does);
 * a multirotor reports a visual-odometry-style body velocity and integrates
 * it. The odom frame starts at the robot's true start pose, so odom equals
 * map until drift accumulates.
 */
export class SimOdometry implements SimSensor<'odometry'> {
  readonly kind = 'odometry' as const;
  readonly latencyMs: number;
  private readonly o: Required<OdometryOptions>;
  private readonly scaleL: number;
  private readonly scaleR: number;
  private x: number | undefined;
  private y = 0;
  private z = 0;
  private yaw = 0;
  private travelledM = 0;
  private lastS = 0;

  constructor(
    readonly id: string,
    private readonly frameId: string,
    private readonly rng: RandomStream,
    options: OdometryOptions = {},
  ) {
    this.o = {
      scaleErrorSigma: 0.01,
      speedNoiseMps: 0.02,
      yawRateNoiseRps: 0.01,
      dropout: 0.002,
      latencyMs: 5,
      ...options,
    };
    this.latencyMs = this.o.latencyMs;
    this.scaleL = 1 + rng.gaussian(0, this.o.scaleErrorSigma);
    this.scaleR = 1 + rng.gaussian(0, this.o.scaleErrorSigma);
  }

  sample(world: SimWorld): Odometry | undefined {
    const s = world.vehicle.state;
    const t = world.timeS;
    const o = this.o;
    const rng = this.rng;
    if (this.x === undefined) {
      this.x = s.x;
      this.y = s.y;
      this.z = s.z;
      this.yaw = s.yawRad;
      this.lastS = t;
    }
    const dtS = t - this.lastS;
    this.lastS = t;
    let vFwd: number;
    let vLeft: number;
    let vUp: number;
    let w: number;
    if (s.wheelBaseM > 0) {
      const l = s.leftWheelMps * this.scaleL + rng.gaussian(0, o.speedNoiseMps);
      const r = s.rightWheelMps * this.scaleR + rng.gaussian(0, o.speedNoiseMps);
      vFwd = (l + r) / 2;
      vLeft = 0;
      vUp = 0;
      w = (r - l) / s.wheelBaseM;
    } else {
      const c = Math.cos(s.yawRad);
      const sn = Math.sin(s.yawRad);
      vFwd = (c * s.vx + sn * s.vy) * this.scaleL + rng.gaussian(0, o.speedNoiseMps);
      vLeft = (-sn * s.vx + c * s.vy) * this.scaleR + rng.gaussian(0, o.speedNoiseMps);
      vUp = s.vz + rng.gaussian(0, o.speedNoiseMps);
      w = s.yawRateRps + rng.gaussian(0, o.yawRateNoiseRps);
    }
    // Midpoint integration of the measured twist over the sample period.
    const yawMid = this.yaw + (w * dtS) / 2;
    this.x += (Math.cos(yawMid) * vFwd - Math.sin(yawMid) * vLeft) * dtS;
    this.y += (Math.sin(yawMid) * vFwd + Math.cos(yawMid) * vLeft) * dtS;
    this.z += vUp * dtS;
    this.yaw = wrapAngle(this.yaw + w * dtS);
    this.travelledM += Math.hypot(vFwd, vLeft) * dtS;
    if (rng.chance(o.dropout)) return undefined;
    // Drift grows with distance: about 2 % of the path in position, 0.5° per metre in yaw.
    const posVar = (0.01 + 0.02 * this.travelledM) ** 2;
    const yawVar = (0.01 + 0.009 * this.travelledM) ** 2;
    return {
      frameId: 'odom',
      childFrameId: this.frameId,
      positionM: { x: this.x, y: this.y, z: this.z },
      orientation: yawToQuaternion(this.yaw),
      poseCovariance: diagonal([posVar, posVar, posVar, 1e-4, 1e-4, yawVar]),
      linearVelocityMps: { x: vFwd, y: vLeft, z: vUp },
      angularVelocityRps: { x: 0, y: 0, z: w },
      twistCovariance: diagonal([
        o.speedNoiseMps ** 2,
        o.speedNoiseMps ** 2,
        o.speedNoiseMps ** 2,
        1e-4,
        1e-4,
        o.yawRateNoiseRps ** 2,
      ]),
    };
  }
}
