/**
 * A releasable payload (water, retardant): it flows while switched on, until
 * empty or until its timed release ends. Sensor payloads only toggle.
 */
export interface PayloadSpec {
  readonly kind: 'water' | 'retardant' | 'sensor' | 'none';
  /** Litres (water, retardant) or units. */
  readonly capacity: number;
  readonly rangeM: number;
}

/** A drone water tank empties at about this rate, L/s. */
export const DEFAULT_FLOW_LPS = 2;

export class Payload {
  on = false;
  left: number;
  private offAtS: number | undefined;

  constructor(
    readonly spec: PayloadSpec,
    readonly flowLps = DEFAULT_FLOW_LPS,
  ) {
    this.left = spec.capacity;
  }

  get releasable(): boolean {
    return this.spec.kind === 'water' || this.spec.kind === 'retardant';
  }

  /** Mass still carried, kg (one litre of water weighs about a kilogram). */
  massKg(): number {
    return this.releasable ? this.left : 0;
  }

  set(on: boolean, nowS: number, durationS?: number): void {
    this.on = on;
    this.offAtS = on && durationS !== undefined ? nowS + durationS : undefined;
  }

  /** Advances the release; returns the litres that left the tank in this step. */
  step(dtS: number, nowS: number): number {
    if (!this.on) return 0;
    if (this.offAtS !== undefined && nowS >= this.offAtS) {
      this.set(false, nowS);
      return 0;
    }
    if (!this.releasable) return 0;
    const out = Math.min(this.left, this.flowLps * dtS);
    this.left -= out;
    if (this.left <= 0) this.set(false, nowS);
    return out;
  }
}
