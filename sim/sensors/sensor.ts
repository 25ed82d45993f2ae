import type { SensorKind, SensorMessages } from '../../runtime/index.js';
import type { Sensor } from '../../missions/index.js';
import type { SimWorld } from '../world.js';

/**
 * A simulated sensor: measures the world at the instant it is asked, with its
 * own seeded noise. Pure: the adapter decides when to sample and publishes.
 */
export interface SimSensor<K extends SensorKind = SensorKind> {
  readonly kind: K;
  readonly id: string;
  /** Delay between measurement and delivery, ms. */
  readonly latencyMs: number;
  /** Measures now; undefined when this sample is dropped. */
  sample(world: SimWorld): SensorMessages[K] | undefined;
}

/** Where a sensor sits on the body, metres and radians (FLU). */
export interface Mount {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly rollRad: number;
  readonly pitchRad: number;
  readonly yawRad: number;
}

/** Ground robots carry their sensors above the wheels: base_link sits on the ground, sensors this much higher, m. */
export const GROUND_SENSOR_HEIGHT_M = 0.5;

export function mountOf(sensor: Sensor, vehicleKind: string): Mount {
  const xyz = sensor.mount?.xyzM ?? [0, 0, 0];
  const rpy = sensor.mount?.rpyDeg ?? [0, 0, 0];
  const lift = vehicleKind === 'multirotor' ? 0 : GROUND_SENSOR_HEIGHT_M;
  const rad = Math.PI / 180;
  return {
    x: xyz[0],
    y: xyz[1],
    z: xyz[2] + lift,
    rollRad: rpy[0] * rad,
    pitchRad: rpy[1] * rad,
    yawRad: rpy[2] * rad,
  };
}

/** World position of a mounted sensor (yaw only: the airframe's tilt is small and cameras are gimballed). */
export function mountPosition(world: SimWorld, m: Mount): { x: number; y: number; z: number } {
  const s = world.vehicle.state;
  const c = Math.cos(s.yawRad);
  const sn = Math.sin(s.yawRad);
  return { x: s.x + c * m.x - sn * m.y, y: s.y + sn * m.x + c * m.y, z: s.z + m.z };
}

/** First-order Gauss-Markov step: a slowly wandering bias with stationary sigma and correlation time. */
export function gaussMarkov(prev: number, sigma: number, tauS: number, dtS: number, normal: number): number {
  const a = Math.exp(-dtS / tauS);
  return a * prev + sigma * Math.sqrt(1 - a * a) * normal;
}

/** Row-major diagonal covariance. */
export function diagonal(values: readonly number[]): number[] {
  const n = values.length;
  const out = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) out[i * n + i] = values[i] as number;
  return out;
}
