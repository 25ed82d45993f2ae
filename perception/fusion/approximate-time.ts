/**
 * Approximate-time synchronisation of N streams, after ROS message_filters'
 * ApproximateTime policy (simplified): each stream keeps a short queue; a set
 * is emitted when one message per stream lies within `slopMs` of each other,
 * choosing the set with the smallest spread around the oldest pivot. Messages
 * older than an emitted set are dropped, so sets come out in time order and
 * each message is used at most once.
 */
export interface Stamped<T> {
  readonly stampMs: number;
  readonly data: T;
}

export class ApproximateTimeSync<T extends readonly unknown[]> {
  private readonly queues: Stamped<unknown>[][];
  dropped = 0;

  constructor(
    streams: number,
    private readonly slopMs: number,
    private readonly queueSize: number,
    private readonly onSet: (set: { [K in keyof T]: Stamped<T[K]> }) => void,
  ) {
    if (!(streams >= 2)) throw new RangeError('ApproximateTimeSync needs at least two streams');
    this.queues = Array.from({ length: streams }, () => []);
  }

  add<I extends number>(stream: I, stampMs: number, data: T[I]): void {
    const q = this.queues[stream];
    if (q === undefined) throw new RangeError(`no stream ${stream}`);
    // Keep each queue sorted by stamp (late arrivals happen across transports).
    let i = q.length;
    while (i > 0 && (q[i - 1] as Stamped<unknown>).stampMs > stampMs) i--;
    q.splice(i, 0, { stampMs, data });
    if (q.length > this.queueSize) {
      q.shift();
      this.dropped++;
    }
    this.match();
  }

  private match(): void {
    for (;;) {
      if (this.queues.some((q) => q.length === 0)) return;
      // Pivot: the latest of the streams' oldest messages; every set must reach it.
      let pivot = -Infinity;
      for (const q of this.queues) pivot = Math.max(pivot, (q[0] as Stamped<unknown>).stampMs);
      const picks: number[] = [];
      let ok = true;
      for (const q of this.queues) {
        let best = -1;
        let bestD = Infinity;
        for (let i = 0; i < q.length; i++) {
          const d = Math.abs((q[i] as Stamped<unknown>).stampMs - pivot);
          if (d < bestD) {
            bestD = d;
            best = i;
          }
        }
        if (bestD > this.slopMs) ok = false;
        picks.push(best);
      }
      if (!ok) {
        // Nothing matches the pivot: the oldest message that cannot be matched any more goes.
        let oldestQ = 0;
        for (let k = 1; k < this.queues.length; k++) {
          if (
            ((this.queues[k] as Stamped<unknown>[])[0] as Stamped<unknown>).stampMs <
            ((this.queues[oldestQ] as Stamped<unknown>[])[0] as Stamped<unknown>).stampMs
          )
            oldestQ = k;
        }
        (this.queues[oldestQ] as Stamped<unknown>[]).shift();
        this.dropped++;
        continue;
      }
      const set = this.queues.map((q, k) => q[picks[k] as number] as Stamped<unknown>);
      this.queues.forEach((q, k) => q.splice(0, (picks[k] as number) + 1));
      this.onSet(set as { [K in keyof T]: Stamped<T[K]> });
    }
  }
}
