/**
 * A lithium battery pack: energy in watt-hours, a cell voltage that sags with
 * discharge and with load (internal resistance). Pure: `step(powerW, dtS)`.
 */
export interface BatteryOptions {
  readonly capacityWh: number;
  /** Cells in series (6S for a drone, 12S for a rover). */
  readonly cells: number;
  /** Pack internal resistance, ohm. */
  readonly resistanceOhm?: number;
  /** Start charge, 0..1. Default 1. */
  readonly startFraction?: number;
}

export class Battery {
  readonly capacityWh: number;
  readonly cells: number;
  private readonly resistanceOhm: number;
  private energyWh: number;
  private lastCurrentA = 0;

  constructor(options: BatteryOptions) {
    this.capacityWh = options.capacityWh;
    this.cells = options.cells;
    this.resistanceOhm = options.resistanceOhm ?? 0.004 * options.cells;
    this.energyWh = options.capacityWh * (options.startFraction ?? 1);
  }

  /** Charge left, 0..1. */
  get fraction(): number {
    return this.energyWh / this.capacityWh;
  }

  get percent(): number {
    return 100 * this.fraction;
  }

  get empty(): boolean {
    return this.energyWh <= 0;
  }

  get currentA(): number {
    return this.lastCurrentA;
  }

  /** Open-circuit voltage: a LiPo cell runs 4.2 V full to about 3.3 V empty, dropping fast below 10 %. */
  openCircuitV(): number {
    const soc = this.fraction;
    const knee = soc < 0.1 ? (0.1 - soc) * 3 : 0;
    return this.cells * (3.45 + 0.75 * soc - knee);
  }

  /** Terminal voltage under the last load. */
  get voltageV(): number {
    return Math.max(0, this.openCircuitV() - this.lastCurrentA * this.resistanceOhm);
  }

  /** Draws `powerW` for `dtS` seconds. */
  step(powerW: number, dtS: number): void {
    const v = Math.max(1, this.openCircuitV());
    this.lastCurrentA = powerW / v;
    this.energyWh = Math.max(0, this.energyWh - (powerW * dtS) / 3600);
  }

  /** Scripted faults (low battery) set the charge directly. */
  setPercent(percent: number): void {
    this.energyWh = this.capacityWh * Math.min(1, Math.max(0, percent / 100));
  }
}
