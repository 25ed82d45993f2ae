import type { Action } from '../../runtime/index.js';
import { Battery } from './battery.js';
import { Payload } from './payload.js';
import { VehicleState, type SimVehicle, type VehicleEnv } from './vehicle.js';

/** A mast or tower: sensors without motion. Payload toggles (a spotlight); mains power keeps the battery full. */
export class FixedSite implements SimVehicle {
  readonly kind = 'fixed_site' as const;
  readonly state = new VehicleState();
  readonly battery = new Battery({ capacityWh: 1000, cells: 12 });
  readonly payload = new Payload({ kind: 'sensor', capacity: 1, rangeM: 1 });
  readonly radiusM = 0.5;

  constructor(env: VehicleEnv) {
    this.state.x = env.home.x;
    this.state.y = env.home.y;
    this.state.yawRad = env.home.yawRad;
  }

  apply(action: Action, nowS: number): void {
    if (action.kind === 'payload') this.payload.set(action.on, nowS, action.durationS);
  }

  step(dtS: number, nowS: number): number {
    return this.payload.step(dtS, nowS);
  }
}
