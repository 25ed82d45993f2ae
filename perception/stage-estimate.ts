/**
 * Running estimates of how long inference and preprocessing take, for
 * deciding when to ask for the next frame (see `Detector.submit`).
 */

/** Exponential moving average; `undefined` until the first sample. */
export class MovingAverage {
  private value: number | undefined;

  constructor(private readonly alpha = 0.25) {}

  add(sample: number): void {
    if (!Number.isFinite(sample) || sample < 0) return;
    this.value = this.value === undefined ? sample : this.value + this.alpha * (sample - this.value);
  }

  get(): number | undefined {
    return this.value;
  }
}

/**
 * Smallest of the last `size` samples. A preprocess that overlaps an
 * inference is slowed by it (they share the cores; with a runner that blocks
 * the event loop it is seen to finish only when the inference hands the loop
 * back), so its measured time is inflated whenever it started too early; the
 * minimum reads through that (the feedback could otherwise
 * only push the estimate up) and still follows a real change within `size`
 * frames.
 */
export class WindowMin {
  private readonly samples: number[] = [];

  constructor(private readonly size = 8) {}

  add(sample: number): void {
    if (!Number.isFinite(sample) || sample < 0) return;
    this.samples.push(sample);
    if (this.samples.length > this.size) this.samples.shift();
  }

  get(): number | undefined {
    return this.samples.length === 0 ? undefined : Math.min(...this.samples);
  }
}
