/**
 * Has a landing drone touched down? Judged from the pose estimate alone (no
 * autopilot landed flag is on the bus): in the land phase the vehicle
 * descends without pause (1.5 m/s, 0.5 m/s over the last 3 m), so a height
 * that has stopped falling means it is on the ground.
 *
 * Why a trend and not the vertical speed: a landed drone's estimated height
 * follows the GNSS height, whose bias wanders (σ 1.8 m, τ 60 s), so its
 * vertical speed reads ±0.3 m/s for long stretches. A "|vz| ≤ 0.15 m/s for 2 s"
 * test took 16-90 s to see a landing, or never did. The least-squares slope
 * of the height over 5 s rejects most of that noise and still tells a
 * 0.5 m/s descent from standing still: on a model of that GNSS height (300
 * landings) it sees the touchdown 2.8 s after it (median), but in about 5 % of
 * landings it passes early, up to 1.1 m above the ground, when the GNSS height
 * drifts upwards during the final descent.
 *
 * Why a confirmation: the land phase keeps descending until this says landed,
 * so a test that must hold for LANDED_CONFIRM_MS without a break gives an
 * early call that much more descent to become true. On 1000 modelled
 * landings 2 s took the early calls from 47 to none, for 2.1 s more at the
 * median (4.9 s after touchdown, 8.3 s at p95). A drone reported landed 1 m up
 * is one whose mission ends, and whose motors may stop, in the air.
 */

/** Estimated heights above this are never "landed", m: loose, a landed drone's GNSS height can read several metres. */
export const LANDED_MAX_Z_M = 10;
/** Span of heights the slope is fitted over, ms. */
export const LANDED_WINDOW_MS = 5000;
/** Slower descent than this over the window is standing still, m/s (half the final descent rate). */
export const LANDED_MIN_SLOPE_MPS = -0.2;
/** The trend test must hold this long without a break before the vehicle is landed, ms. */
export const LANDED_CONFIRM_MS = 2000;

export class LandingDetector {
  private readonly t: number[] = [];
  private readonly z: number[] = [];
  /** Since when the trend test has held without a break, ms; undefined while it does not. */
  private heldSinceMs: number | undefined;

  /** `confirmMs`: how long the trend test must hold without a break (default LANDED_CONFIRM_MS). */
  constructor(private readonly confirmMs = LANDED_CONFIRM_MS) {}

  /** Forget the history: call when a land phase begins. */
  reset(): void {
    this.t.length = 0;
    this.z.length = 0;
    this.heldSinceMs = undefined;
  }

  /** Adds the pose at `nowMs`; true once the vehicle is judged on the ground. */
  update(zM: number, nowMs: number): boolean {
    this.t.push(nowMs);
    this.z.push(zM);
    while (this.t.length > 0 && (this.t[0] as number) < nowMs - LANDED_WINDOW_MS) {
      this.t.shift();
      this.z.shift();
    }
    const spanMs = nowMs - (this.t[0] as number);
    const still =
      zM <= LANDED_MAX_Z_M &&
      spanMs >= LANDED_WINDOW_MS * 0.9 &&
      this.t.length >= 5 &&
      slopePerS(this.t, this.z) >= LANDED_MIN_SLOPE_MPS;
    if (!still) {
      this.heldSinceMs = undefined;
      return false;
    }
    this.heldSinceMs ??= nowMs;
    return nowMs - this.heldSinceMs >= this.confirmMs;
  }
}

/** Least-squares slope of z over t (ms), per second. */
function slopePerS(t: readonly number[], z: readonly number[]): number {
  const n = t.length;
  let mt = 0;
  let mz = 0;
  for (let i = 0; i < n; i++) {
    mt += t[i] as number;
    mz += z[i] as number;
  }
  mt /= n;
  mz /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dt = (t[i] as number) - mt;
    num += dt * ((z[i] as number) - mz);
    den += dt * dt;
  }
  return den === 0 ? 0 : (num / den) * 1000;
}
