/**
 * A releasable payload (water, retardant): it flows while switched on, until
 * empty or until its timed release ends. Sensor payloads only toggle.
 *
 * A payload with a refill point is topped up there, like a firefighting drone
 * at its base: a ground crew (or a dip-tank pump) fills the tank while the
 * vehicle sits landed, motors idle, within `radiusM` of the point. Only on the
 * ground: hovering over a crew with a hose is how people get hurt, and a
 * landed vehicle is what a real refill procedure asks for.
 */
export interface PayloadRefillSpec {
  /** Where the tank is refilled: the vehicle's home (take-off point) or a local [x, y] point, metres ENU. */
  readonly at: 'home' | readonly [number, number];
  /** Fill rate, L/s. */
  readonly rateLps: number;
  /** The vehicle must be landed within this distance of the point, m. */
  readonly radiusM: number;
}

export interface PayloadSpec {
  readonly kind: 'water' | 'retardant' | 'sensor' | 'none';
  /** Litres (water, retardant) or units. */
  readonly capacity: number;
  readonly rangeM: number;
  /** Where and how fast the tank is refilled; absent: it never is. */
  readonly refill?: PayloadRefillSpec | undefined;
}

/** A drone water tank empties at about this rate, L/s. */
export const DEFAULT_FLOW_LPS = 2;

export class Payload {
  on = false;
  left: number;
  /** Completed refills (the tank reached full at the refill point). */
  refills = 0;
  private offAtS: number | undefined;
  private readonly refillXY: readonly [number, number] | undefined;

  /**
   * @param home the vehicle's home, where a refill `at: 'home'` happens (local metres)
   */
  constructor(
    readonly spec: PayloadSpec,
    readonly flowLps = DEFAULT_FLOW_LPS,
    home: { readonly x: number; readonly y: number } = { x: 0, y: 0 },
  ) {
    this.left = spec.capacity;
    const at = spec.refill?.at;
    this.refillXY = at === undefined ? undefined : at === 'home' ? [home.x, home.y] : [at[0], at[1]];
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

  /** Whether a vehicle landed at (x, y) is on the refill pad. */
  atRefillPoint(x: number, y: number): boolean {
    const p = this.refillXY;
    const r = this.spec.refill?.radiusM ?? 0;
    return p !== undefined && Math.hypot(x - p[0], y - p[1]) <= r;
  }

  /**
   * Tops the tank up for one step when the vehicle is landed on the refill
   * pad and not releasing; returns the litres added.
   */
  refill(dtS: number, landed: boolean, x: number, y: number): number {
    const rate = this.spec.refill?.rateLps;
    if (rate === undefined || !landed || this.on || !this.releasable) return 0;
    if (this.left >= this.spec.capacity || !this.atRefillPoint(x, y)) return 0;
    const room = this.spec.capacity - this.left;
    if (rate * dtS < room) {
      this.left += rate * dtS;
      return rate * dtS;
    }
    this.left = this.spec.capacity;
    this.refills++;
    return room;
  }
}
