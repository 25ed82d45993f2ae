/**
 * Time is injected. Components never call `Date.now()` or `setTimeout`
 * directly: they get a `Clock`. In the field that is the `WallClock`; in the
 * simulator and in tests it is a `SimClock`, which runs faster than real time
 * and fires timers in a fixed order, so a run is reproducible.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Time of the world in milliseconds since the Unix epoch (sensor stamps use this base). */
  nowMs(): number;
  /** Monotonic milliseconds (sub-millisecond resolution); never jumps backwards. */
  monoMs(): number;
  /** Calls `fn` once after `delayMs` of this clock's time. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Calls `fn` every `periodMs` of this clock's time, first after one period. */
  setInterval(fn: () => void, periodMs: number): TimerHandle;
  /** Resolves after `delayMs` of this clock's time. */
  sleep(delayMs: number): Promise<void>;
  /** `wall` in the field, `sim` when the clock is simulated. */
  readonly kind: 'wall' | 'sim';
}

/** The real clock: epoch time from the OS, monotonic time from `performance.now()`. */
export class WallClock implements Clock {
  readonly kind = 'wall' as const;

  nowMs(): number {
    return Date.now();
  }

  monoMs(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const t = setTimeout(fn, delayMs);
    return { cancel: () => clearTimeout(t) };
  }

  setInterval(fn: () => void, periodMs: number): TimerHandle {
    const t = setInterval(fn, periodMs);
    return { cancel: () => clearInterval(t) };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

interface SimTimer {
  dueMs: number;
  /** Insertion order breaks ties between timers due at the same instant. */
  seq: number;
  periodMs: number;
  fn: () => void;
  cancelled: boolean;
}

export interface SimClockOptions {
  /** Epoch milliseconds at simulated time zero. Default 2026-01-01T00:00:00Z, fixed so runs repeat. */
  startEpochMs?: number;
}

/**
 * A simulated clock. Time moves only when `advance()` or `runFor()` is called.
 * Timers fire in due-time order (ties in creation order), and after each
 * instant the clock yields to the event loop so that promise chains started by
 * those timers settle before time moves on: async handlers see the same
 * interleaving on every run.
 */
export class SimClock implements Clock {
  readonly kind = 'sim' as const;
  private elapsedMs = 0;
  private seq = 0;
  private readonly startEpochMs: number;
  private timers: SimTimer[] = [];

  constructor(options: SimClockOptions = {}) {
    this.startEpochMs = options.startEpochMs ?? Date.UTC(2026, 0, 1);
  }

  nowMs(): number {
    return this.startEpochMs + this.elapsedMs;
  }

  monoMs(): number {
    return this.elapsedMs;
  }

  /** Simulated milliseconds since the clock started. */
  elapsed(): number {
    return this.elapsedMs;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    // A NaN due time is never "due" yet never "later" either, so advance() would spin forever.
    // Node's own setTimeout runs a NaN delay at once (1 ms); so does this clock (0 ms).
    return this.schedule(fn, Number.isNaN(delayMs) ? 0 : Math.max(0, delayMs), 0);
  }

  setInterval(fn: () => void, periodMs: number): TimerHandle {
    if (!(periodMs > 0)) throw new RangeError(`interval period must be > 0 ms, got ${periodMs}`);
    return this.schedule(fn, periodMs, periodMs);
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delayMs));
  }

  /** Due time of the next pending timer, or `undefined` when none is pending. */
  nextDueMs(): number | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: number | undefined;
    for (const t of this.timers) if (best === undefined || t.dueMs < best) best = t.dueMs;
    return best;
  }

  /**
   * Moves time forward by `deltaMs`, firing every timer that falls due on the
   * way at its own instant, and settling async work after each instant.
   */
  async advance(deltaMs: number): Promise<void> {
    // Infinity would fire a pending interval forever.
    if (!(deltaMs >= 0 && deltaMs < Infinity)) throw new RangeError(`cannot advance a clock by ${deltaMs} ms`);
    const target = this.elapsedMs + deltaMs;
    // What was started at the current instant (a publish just before this call) settles before time moves.
    await settle();
    for (;;) {
      const due = this.nextDueMs();
      if (due === undefined || due > target) break;
      this.elapsedMs = Math.max(this.elapsedMs, due);
      this.fireDue();
      await settle();
    }
    this.elapsedMs = target;
    await settle();
  }

  private fireDue(): void {
    const due = this.timers
      .filter((t) => !t.cancelled && t.dueMs <= this.elapsedMs)
      .sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
    for (const t of due) {
      if (t.cancelled) continue;
      if (t.periodMs > 0) {
        t.dueMs += t.periodMs;
        t.seq = this.seq++;
      } else {
        t.cancelled = true;
      }
      t.fn();
    }
  }

  private schedule(fn: () => void, delayMs: number, periodMs: number): TimerHandle {
    const timer: SimTimer = { dueMs: this.elapsedMs + delayMs, seq: this.seq++, periodMs, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }
}

/** Lets every queued microtask and I/O callback of this turn run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
