/**
 * Seeded randomness. Every consumer (each sensor, the fire, each person) draws
 * from its own named stream derived from (seed, name), so adding a sensor or a
 * person never shifts the numbers another one sees, and a run repeats exactly.
 *
 * The generator is xoshiro128** (32-bit state words, Math.imul only: fast and
 * exact in JS without BigInt), seeded through splitmix32 from an FNV-1a hash
 * of the stream name.
 */

/** FNV-1a over UTF-16 code units: a stable 32-bit hash of a stream name. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One splitmix32 step: spreads a poor seed (0, 1, 2…) over all 32 bits. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class RandomStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box-Muller makes two normals per draw; the second waits here. */
  private spareNormal: number | undefined;

  constructor(seed: number, name: string) {
    const st = { s: (Math.trunc(seed) ^ fnv1a(name)) | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    // An all-zero state would stay zero forever.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Normal with the given mean and standard deviation (Box-Muller). */
  gaussian(mean = 0, stdDev = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + stdDev * z;
    }
    let u = 0;
    // log(0) is -Infinity: draw again on the 2^-32 chance of an exact zero.
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + stdDev * r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * The seed of a run, handing out named streams.
 *
 * @example
 * const rng = new RandomSource(7);
 * const gnssNoise = rng.stream('sensor:gnss').gaussian(0, 1.5); // metres
 */
export class RandomSource {
  constructor(readonly seed: number) {}

  /** A fresh stream for `name`; the same (seed, name) always gives the same numbers. */
  stream(name: string): RandomStream {
    return new RandomStream(this.seed, name);
  }
}
