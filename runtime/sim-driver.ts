import type { SimClock } from './clock.js';

export interface DriveOptions {
  /** Simulated seconds per wall second. `Infinity` (or <= 0) runs as fast as the CPU allows. */
  readonly speed: number;
  /** Simulated milliseconds per step. */
  readonly stepMs: number;
  /** Stop after this much simulated time, ms. Default: until aborted. */
  readonly durationMs?: number;
  readonly signal?: AbortSignal;
}

export type DriveResult = 'duration' | 'aborted';

/**
 * Moves a simulated clock forward in fixed steps, paced against the wall clock
 * at `speed` times real time. Each step lets async work settle (SimClock does
 * that), so the run is the same at any speed: only the pacing changes.
 */
export async function driveSimClock(clock: SimClock, options: DriveOptions): Promise<DriveResult> {
  const speed = options.speed > 0 ? options.speed : Infinity;
  const simStart = clock.elapsed();
  const wallStart = performance.now();
  const end = options.durationMs === undefined ? Infinity : simStart + options.durationMs;
  while (clock.elapsed() < end) {
    if (options.signal?.aborted === true) return 'aborted';
    await clock.advance(Math.min(options.stepMs, end - clock.elapsed()));
    if (speed !== Infinity) {
      const wallTargetMs = (clock.elapsed() - simStart) / speed;
      const aheadMs = wallTargetMs - (performance.now() - wallStart);
      // Real time on purpose: pacing is the one place a simulated run looks at the wall.
      if (aheadMs > 1) await new Promise((resolve) => setTimeout(resolve, aheadMs));
    }
  }
  return 'duration';
}
