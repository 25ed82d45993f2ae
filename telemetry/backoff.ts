/**
 * Reconnect delays: exponential from `minMs` to `maxMs`, with jitter so a
 * fleet that lost the same broker does not reconnect in lockstep. Pure: the
 * random source is injected (tests pass a constant).
 */
export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** 0..1; each delay is drawn from [delay * (1 - jitter), delay]. Default 0.5. */
  readonly jitter?: number;
  /** Uniform in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    if (!(options.minMs > 0 && options.maxMs >= options.minMs)) {
      throw new RangeError(`backoff needs 0 < minMs <= maxMs, got ${options.minMs}..${options.maxMs}`);
    }
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
    this.random = options.random ?? Math.random;
  }

  /** Delay before the next try, ms; each call doubles the base up to maxMs. */
  next(): number {
    // 2 ** 30 already exceeds any sane maxMs; capping the exponent keeps the number finite.
    const base = Math.min(this.options.maxMs, this.options.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return base * (1 - this.jitter * this.random());
  }

  /** After a successful connection: the next outage starts from minMs again. */
  reset(): void {
    this.attempt = 0;
  }
}
