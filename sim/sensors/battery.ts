import type { BatteryState } from '../../runtime/index.js';
import type { RandomStream } from '../random.js';
import type { SimWorld } from '../world.js';
import type { SimSensor } from './sensor.js';

export interface BatterySensorOptions {
  readonly percentNoise?: number;
  readonly voltageNoiseV?: number;
  /** Current sense noise, fraction of the reading. */
  readonly currentNoise?: number;
  readonly latencyMs?: number;
}

/** The battery monitor: charge, voltage and current of the vehicle's pack, with sensing noise. */
export class SimBattery implements SimSensor<'battery'> {
  readonly kind = 'battery' as const;
  readonly latencyMs: number;
  private readonly o: Required<BatterySensorOptions>;

  constructor(
    readonly id: string,
    private readonly frameId: string,
    private readonly rng: RandomStream,
    options: BatterySensorOptions = {},
  ) {
    this.o = { percentNoise: 0.2, voltageNoiseV: 0.02, currentNoise: 0.02, latencyMs: 20, ...options };
    this.latencyMs = this.o.latencyMs;
  }

  sample(world: SimWorld): BatteryState {
    const b = world.vehicle.battery;
    const rng = this.rng;
    return {
      frameId: this.frameId,
      percent: Math.min(100, Math.max(0, b.percent + rng.gaussian(0, this.o.percentNoise))),
      voltageV: b.voltageV + rng.gaussian(0, this.o.voltageNoiseV),
      currentA: b.currentA * (1 + rng.gaussian(0, this.o.currentNoise)),
    };
  }
}
