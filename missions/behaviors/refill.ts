import type { XY } from './lawnmower.js';

/** Where and how fast the mission's payload is refilled (the platform's `payload.refill`). */
export interface RefillConfig {
  /** The refill point, local metres; undefined: the behavior's home (where it took off). */
  readonly at?: XY;
  /** Fill rate, L/s. */
  readonly rateLps: number;
}

/**
 * Seconds the behavior waits on the pad beyond what its own accounting says
 * the fill takes: the booked water and the tank's can differ by a litre or
 * so (a stop that lands a step late), and the landed check (LandingDetector)
 * can pass up to the last few seconds of the final 0.5 m/s descent early when
 * the GNSS height drifts upwards. A tank that leaves short costs a whole trip.
 */
const FILL_MARGIN_S = 6;

/** Progress is reported each time the tank passes a multiple of this, L. */
const PROGRESS_STEP_L = 10;

/**
 * The behavior's own account of a refill on the pad. Nothing on the vehicle
 * reports the tank's level to the behavior (the simulator and the ROS 2
 * adapter publish no payload topic), so it books the water as the pump
 * delivers it, at the mission's fill rate, from the moment it knows it is
 * landed. The simulator starts filling at touchdown, usually a few seconds
 * before the behavior's landed check passes, so the real tank is, if
 * anything, ahead of the book (FILL_MARGIN_S covers the other case).
 */
export class TankRefill {
  private startMs = 0;
  private startL = 0;
  private reportedStep = 0;

  constructor(
    private readonly cfg: RefillConfig,
    private readonly capacityL: number,
  ) {}

  /** Starts the book at `leftL` litres in the tank, at `nowMs`. */
  begin(nowMs: number, leftL: number): void {
    this.startMs = nowMs;
    this.startL = Math.max(0, leftL);
    this.reportedStep = Math.floor(this.startL / PROGRESS_STEP_L);
  }

  /** Litres in the tank by the book, never above capacity. */
  levelL(nowMs: number): number {
    return Math.min(this.capacityL, this.startL + (this.cfg.rateLps * Math.max(0, nowMs - this.startMs)) / 1000);
  }

  /** Full by the book, margin included. */
  full(nowMs: number): boolean {
    const needS = (this.capacityL - this.startL) / this.cfg.rateLps + FILL_MARGIN_S;
    return nowMs - this.startMs >= needS * 1000;
  }

  /** The level to report now, when the tank has passed a new PROGRESS_STEP_L mark since the last report. */
  progress(nowMs: number): number | undefined {
    const level = this.levelL(nowMs);
    const step = Math.floor(level / PROGRESS_STEP_L);
    if (step <= this.reportedStep || level >= this.capacityL) return undefined;
    this.reportedStep = step;
    return step * PROGRESS_STEP_L;
  }
}
