import { Ekf, type CorrectResult, type EkfConfig, type Measurement } from './ekf.js';

export interface LaggedFilterOptions {
  /**
   * How far back a late measurement may reach, ms. Within it, the filter
   * rewinds to the last state before the measurement and re-applies
   * everything after it in time order (robot_localization's
   * smooth_lagged_data). Older measurements are rejected and counted.
   */
  readonly historyMs: number;
}

export interface FilterCounters {
  applied: number;
  gated: number;
  singular: number;
  invalid: number;
  /** Arrived out of order within the history window: state rewound and replayed. */
  replayed: number;
  /** Arrived later than the history window allows. */
  tooLate: number;
  /** Times the filter was declared diverged and re-initialised from an absolute measurement. */
  resets: number;
}

interface HistoryEntry {
  measurement: Measurement;
  readonly x: Float64Array;
  readonly P: Float64Array;
  timeMs: number;
}

/**
 * The EKF plus time handling: measurements are applied in time order, late
 * ones within `historyMs` are fused where they belong by rewinding and
 * replaying, and a second filter predicts the estimate forward to "now" for
 * publication without disturbing the filter's own time.
 */
export class LaggedFilter {
  readonly ekf: Ekf;
  private readonly output: Ekf;
  private timeMs: number | undefined;
  private history: HistoryEntry[] = [];
  /** Snapshot buffers are recycled: a 100 Hz IMU would otherwise allocate 2 KiB per message. */
  private readonly spare: HistoryEntry[] = [];
  readonly counters: FilterCounters = {
    applied: 0,
    gated: 0,
    singular: 0,
    invalid: 0,
    replayed: 0,
    tooLate: 0,
    resets: 0,
  };
  /** Per sensor: the last result, for diagnostics. */
  readonly lastResult = new Map<string, CorrectResult>();

  constructor(
    config: EkfConfig,
    private readonly options: LaggedFilterOptions,
  ) {
    this.ekf = new Ekf(config);
    this.output = new Ekf(config);
  }

  /** Time of the latest fused measurement, ms; undefined before the first. */
  get filterTimeMs(): number | undefined {
    return this.timeMs;
  }

  /** Fuses one measurement (already checked for hygiene). Returns what happened to it. */
  add(m: Measurement): CorrectResult | 'too_late' {
    if (!Number.isFinite(m.timeMs)) {
      this.counters.invalid++;
      return { kind: 'invalid' };
    }
    if (this.timeMs === undefined || m.timeMs >= this.timeMs) return this.apply(m, true);
    const oldest = this.history[0];
    if (oldest === undefined || m.timeMs < this.timeMs - this.options.historyMs || m.timeMs < oldest.timeMs) {
      this.counters.tooLate++;
      return 'too_late';
    }
    this.counters.replayed++;
    const replay = this.rewindTo(m.timeMs);
    if (replay === undefined) throw new Error('unreachable: the oldest entry precedes m');
    const result = this.apply(m, true);
    for (const r of replay) this.apply(r, false);
    return result;
  }

  /**
   * Rewinds to the last snapshot at or before `timeMs`; returns the
   * measurements after it (to replay), or undefined when no snapshot is that old.
   */
  private rewindTo(timeMs: number): Measurement[] | undefined {
    let keep = this.history.length;
    while (keep > 0 && (this.history[keep - 1] as HistoryEntry).timeMs > timeMs) keep--;
    const base = this.history[keep - 1];
    if (base === undefined) return undefined;
    const dropped = this.history.splice(keep);
    const replay = dropped.map((h) => h.measurement);
    this.spare.push(...dropped);
    this.ekf.x.set(base.x);
    this.ekf.P.set(base.P);
    this.timeMs = base.timeMs;
    return replay;
  }

  /**
   * Re-initialises the filter from `m` (see `Ekf.reinitialise`) at its time.
   * The history before `m` is dropped: replaying older measurements over a
   * reset would undo it. A late `m` (a GNSS fix arrives 100-200 ms after its
   * stamp, behind a 100 Hz IMU that has moved the filter on) is applied where
   * it belongs: the filter rewinds to it, re-initialises there and replays
   * what came after. Returns false when `m` is unusable or older than the history.
   */
  reset(m: Measurement, widen: readonly number[], widenVariance = 0): boolean {
    const replay = this.timeMs !== undefined && m.timeMs < this.timeMs ? this.rewindTo(m.timeMs) : [];
    if (replay === undefined) return false;
    if (this.timeMs !== undefined) this.ekf.predict((m.timeMs - this.timeMs) / 1000);
    const ok = this.ekf.reinitialise(m, widen, widenVariance);
    if (ok) {
      this.timeMs = m.timeMs;
      this.spare.push(...this.history.splice(0));
      this.counters.resets++;
      this.remember(m);
    }
    for (const r of replay) this.apply(r, false);
    return ok;
  }

  /** The estimate predicted forward to `nowMs`, in a scratch filter (the filter's own state is unchanged). */
  estimateAt(nowMs: number): Ekf | undefined {
    if (this.timeMs === undefined) return undefined;
    this.output.copyFrom(this.ekf);
    this.output.predict((nowMs - this.timeMs) / 1000);
    return this.output;
  }

  /** `count` is false when re-applying a measurement already counted once. */
  private apply(m: Measurement, count: boolean): CorrectResult {
    if (this.timeMs !== undefined) this.ekf.predict((m.timeMs - this.timeMs) / 1000);
    this.timeMs = this.timeMs === undefined ? m.timeMs : Math.max(this.timeMs, m.timeMs);
    const result = this.ekf.correct(m);
    if (count) {
      this.counters[result.kind]++;
      this.lastResult.set(m.sensor, result);
    }
    this.remember(m);
    return result;
  }

  private remember(m: Measurement): void {
    // Snapshots are copies: the history is what makes a rewind possible.
    const entry = this.spare.pop() ?? {
      measurement: m,
      x: new Float64Array(this.ekf.x.length),
      P: new Float64Array(this.ekf.P.length),
      timeMs: m.timeMs,
    };
    entry.measurement = m;
    entry.timeMs = m.timeMs;
    entry.x.set(this.ekf.x);
    entry.P.set(this.ekf.P);
    this.history.push(entry);
    const horizon = m.timeMs - this.options.historyMs;
    let drop = 0;
    while (drop < this.history.length - 1 && (this.history[drop] as HistoryEntry).timeMs < horizon) drop++;
    if (drop > 0) this.spare.push(...this.history.splice(0, drop));
  }
}
