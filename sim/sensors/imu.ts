import type { ImuSample } from '../../runtime/index.js';
import type { RandomStream } from '../random.js';
import type { SimWorld } from '../world.js';
import { diagonal, type SimSensor } from './sensor.js';

const G = 9.80665;

/** Noise of a MEMS IMU of drone/robot grade (BMI088-like). */
export interface ImuOptions {
  /** White noise per sample. */
  readonly gyroNoiseRps?: number;
  readonly accelNoiseMps2?: number;
  /** Bias random walk, per √s. */
  readonly gyroBiasWalkRps?: number;
  readonly accelBiasWalkMps2?: number;
  /** Turn-on bias sigma. */
  readonly gyroBiasRps?: number;
  readonly accelBiasMps2?: number;
  readonly dropout?: number;
  readonly latencyMs?: number;
  /** Size of a scripted spike when the event names no value, m/s² (and the same number /10 in rad/s). */
  readonly spikeMps2?: number;
}

/**
 * IMU: body rates and specific force (acceleration minus gravity, so a robot
 * at rest reads +9.81 m/s² up) in the FLU body frame, with white noise and
 * biases that random-walk, plus an AHRS orientation.
 */
export class SimImu implements SimSensor<'imu'> {
  readonly kind = 'imu' as const;
  readonly latencyMs: number;
  private readonly o: Required<ImuOptions>;
  private readonly gyroBias: [number, number, number];
  private readonly accelBias: [number, number, number];
  private lastS: number | undefined;
  private readonly gyroCov: number[];
  private readonly accelCov: number[];

  constructor(
    readonly id: string,
    private readonly frameId: string,
    private readonly rng: RandomStream,
    options: ImuOptions = {},
  ) {
    this.o = {
      gyroNoiseRps: 0.003,
      accelNoiseMps2: 0.04,
      gyroBiasWalkRps: 0.0003,
      accelBiasWalkMps2: 0.002,
      gyroBiasRps: 0.002,
      accelBiasMps2: 0.05,
      dropout: 0.001,
      latencyMs: 2,
      spikeMps2: 30,
      ...options,
    };
    this.latencyMs = this.o.latencyMs;
    this.gyroBias = [
      rng.gaussian(0, this.o.gyroBiasRps),
      rng.gaussian(0, this.o.gyroBiasRps),
      rng.gaussian(0, this.o.gyroBiasRps),
    ];
    this.accelBias = [
      rng.gaussian(0, this.o.accelBiasMps2),
      rng.gaussian(0, this.o.accelBiasMps2),
      rng.gaussian(0, this.o.accelBiasMps2),
    ];
    this.gyroCov = diagonal([this.o.gyroNoiseRps ** 2, this.o.gyroNoiseRps ** 2, this.o.gyroNoiseRps ** 2]);
    this.accelCov = diagonal([this.o.accelNoiseMps2 ** 2, this.o.accelNoiseMps2 ** 2, this.o.accelNoiseMps2 ** 2]);
  }

  sample(world: SimWorld): ImuSample | undefined {
    const t = world.timeS;
    const dtS = this.lastS === undefined ? 0 : t - this.lastS;
    this.lastS = t;
    const rng = this.rng;
    const o = this.o;
    const gw = o.gyroBiasWalkRps * Math.sqrt(dtS);
    const aw = o.accelBiasWalkMps2 * Math.sqrt(dtS);
    for (let i = 0; i < 3; i++) {
      this.gyroBias[i] = (this.gyroBias[i] as number) + rng.gaussian(0, gw);
      this.accelBias[i] = (this.accelBias[i] as number) + rng.gaussian(0, aw);
    }
    const s = world.vehicle.state;
    // Specific force in the world frame, rotated into the body: R = Rz(yaw)·Ry(pitch)·Rx(roll), body = Rᵀ·world.
    const fx = s.ax;
    const fy = s.ay;
    const fz = s.az + G;
    const cy = Math.cos(s.yawRad);
    const sy = Math.sin(s.yawRad);
    const cp = Math.cos(s.pitchRad);
    const sp = Math.sin(s.pitchRad);
    const cr = Math.cos(s.rollRad);
    const sr = Math.sin(s.rollRad);
    const x1 = cy * fx + sy * fy;
    const y1 = -sy * fx + cy * fy;
    const x2 = cp * x1 - sp * fz;
    const z2 = sp * x1 + cp * fz;
    const y3 = cr * y1 + sr * z2;
    const z3 = -sr * y1 + cr * z2;
    const spike = world.faultActive('imu_spike', this.id) ? o.spikeMps2 : 0;
    const gb = this.gyroBias;
    const ab = this.accelBias;
    const msg: ImuSample = {
      frameId: this.frameId,
      orientation: rpyToQuaternion(s.rollRad, s.pitchRad, s.yawRad),
      angularVelocityRps: {
        x: s.rollRateRps + gb[0] + rng.gaussian(0, o.gyroNoiseRps) + spike / 10,
        y: s.pitchRateRps + gb[1] + rng.gaussian(0, o.gyroNoiseRps),
        z: s.yawRateRps + gb[2] + rng.gaussian(0, o.gyroNoiseRps),
      },
      linearAccelerationMps2: {
        x: x2 + ab[0] + rng.gaussian(0, o.accelNoiseMps2) + spike,
        y: y3 + ab[1] + rng.gaussian(0, o.accelNoiseMps2),
        z: z3 + ab[2] + rng.gaussian(0, o.accelNoiseMps2),
      },
      angularVelocityCovariance: this.gyroCov,
      linearAccelerationCovariance: this.accelCov,
    };
    // The dropout is drawn after the noise, so a dropped sample consumes the same numbers as a kept one.
    return rng.chance(o.dropout) ? undefined : msg;
  }
}

/** ZYX roll-pitch-yaw to a unit quaternion (x, y, z, w). */
export function rpyToQuaternion(
  roll: number,
  pitch: number,
  yaw: number,
): { x: number; y: number; z: number; w: number } {
  const cr = Math.cos(roll / 2);
  const sr = Math.sin(roll / 2);
  const cp = Math.cos(pitch / 2);
  const sp = Math.sin(pitch / 2);
  const cy = Math.cos(yaw / 2);
  const sy = Math.sin(yaw / 2);
  return {
    x: sr * cp * cy - cr * sp * sy,
    y: cr * sp * cy + sr * cp * sy,
    z: cr * cp * sy - sr * sp * cy,
    w: cr * cp * cy + sr * sp * sy,
  };
}
