import type { MessageBus, SimClock } from '../../runtime/index.js';

/** What the driver waits on before it moves time: the replay source. */
export interface ReplayPacer {
  whenIdle(): Promise<void>;
  finished(): Promise<void>;
}

export interface ReplayDriveOptions {
  /** Replay seconds per wall second; Infinity (or <= 0) as fast as the CPU allows. */
  readonly speed: number;
  /** Stop after this much replay time, ms. Default: until the bag ends (never, when looped). */
  readonly durationMs?: number;
  readonly signal?: AbortSignal;
}

export type ReplayDriveResult = 'ended' | 'duration' | 'aborted';

/**
 * Moves a SimClock from one timer to the next, and before each move waits
 * until the bag source is waiting on the clock and the bus is drained (every
 * handler done, a detector's inference included). So what happens at an
 * instant depends only on the bag, never on how fast the disk or the model
 * was: a replay at 1x, 10x or as fast as possible publishes the same messages
 * with the same stamps. `speed` only paces it against the wall clock.
 *
 * A bus handler that waits on this same clock would never finish here;
 * Kestrel's handlers do not (timers are set from handlers, not awaited in them).
 */
export async function driveReplay(
  clock: SimClock,
  bus: MessageBus,
  source: ReplayPacer,
  options: ReplayDriveOptions,
): Promise<ReplayDriveResult> {
  const speed = options.speed > 0 ? options.speed : Infinity;
  const simStart = clock.elapsed();
  const wallStart = performance.now();
  const end = options.durationMs === undefined ? Infinity : simStart + options.durationMs;
  const state = { ended: false };
  void source.finished().then(() => {
    state.ended = true;
  });
  for (;;) {
    await source.whenIdle();
    await bus.drain();
    // A finished() continuation runs in a microtask: let it land before deciding.
    await Promise.resolve();
    if (state.ended) return 'ended';
    if (options.signal?.aborted === true) return 'aborted';
    const due = clock.nextDueMs();
    if (due === undefined) return 'ended';
    if (due > end) {
      await clock.advance(end - clock.elapsed());
      await bus.drain();
      return 'duration';
    }
    await clock.advance(Math.max(0, due - clock.elapsed()));
    if (speed !== Infinity) {
      const aheadMs = (clock.elapsed() - simStart) / speed - (performance.now() - wallStart);
      // Real time on purpose: pacing is the one place a replay looks at the wall.
      if (aheadMs > 1) await new Promise((resolve) => setTimeout(resolve, aheadMs));
    }
  }
}
