/**
 * Antialiased bilinear downscaling of 8-bit HWC pixels in plain JavaScript,
 * computed exactly as Pillow's `Image.resize(size, Image.BILINEAR)` does:
 * a triangle filter widened by the scale factor, 22-bit fixed-point
 * coefficients, horizontal pass first into an 8-bit intermediate, then the
 * vertical pass.
 *
 * Why not sharp for raw camera frames: a 640 x 480 frame going to a 320 x 240
 * model input is a few milliseconds of arithmetic, but through libvips it is a
 * pool-thread round trip that waits behind onnxruntime's threads on a small
 * CPU (p99 36 ms on the dev machine's 2 cores against 9 ms of inference). And
 * Kestrel's trainer letterboxes with Pillow, so matching Pillow's pixels means
 * the model sees at run time what it saw in training.
 *
 * The exact-2x interior, nearly every pixel of a camera frame halved for a
 * model, runs in WebAssembly SIMD where the engine has it (preprocess-wasm.ts);
 * the edges and every other scale run in the JavaScript below. Same bytes.
 */
import {
  align16,
  createPreprocessKernels,
  ensureMemory,
  KERNEL_SLACK,
  type PreprocessKernels,
} from './preprocess-wasm.js';

/** Pillow's `PRECISION_BITS` for 8-bit images: 32 - 8 - 2. */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** Filter taps for one axis: for output index i, `count[i]` source pixels from `first[i]`, weights at `i * ksize`. */
interface AxisCoefficients {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
  readonly ksize: number;
  /**
   * Outputs [halfFrom, halfTo) of an exact 2x reduction away from the edges:
   * taps 2i-1..2i+2 with weights exactly 1/8, 3/8, 3/8, 1/8 (dyadic, so
   * Pillow's fixed point is exact there and the sum is (a + 3b + 3c + d + 4) >> 3).
   * An empty range for any other scale.
   */
  readonly halfFrom: number;
  readonly halfTo: number;
}

const W1 = ONE / 8;
const W3 = (3 * ONE) / 8;

function halfRange(first: Int32Array, count: Int32Array, weights: Int32Array, ksize: number): [number, number] {
  const canonical = (i: number): boolean =>
    count[i] === 4 &&
    first[i] === 2 * i - 1 &&
    weights[i * ksize] === W1 &&
    weights[i * ksize + 1] === W3 &&
    weights[i * ksize + 2] === W3 &&
    weights[i * ksize + 3] === W1;
  let from = 0;
  while (from < first.length && !canonical(from)) from++;
  let to = from;
  while (to < first.length && canonical(to)) to++;
  return [from, to];
}

/** Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for the bilinear (triangle) filter. */
function axisCoefficients(inSize: number, outSize: number): AxisCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the triangle's support is 1, widened by the scale
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    // Truncation toward zero, as C's (int) cast.
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const hi = Math.min(Math.trunc(centre + support + 0.5), inSize);
    const n = hi - lo;
    let total = 0;
    for (let k = 0; k < n; k++) {
      const t = Math.abs((k + lo - centre + 0.5) / filterScale);
      const v = t < 1 ? 1 - t : 0;
      w[k] = v;
      total += v;
    }
    for (let k = 0; k < n; k++) {
      const norm = total !== 0 ? (w[k] ?? 0) / total : 0;
      weights[i * ksize + k] = norm < 0 ? Math.trunc(norm * ONE - 0.5) : Math.trunc(norm * ONE + 0.5);
    }
    first[i] = lo;
    count[i] = n;
  }
  const [halfFrom, halfTo] = halfRange(first, count, weights, ksize);
  return { first, count, weights, ksize, halfFrom, halfTo };
}

function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Four taps `stride` apart from `i`, Pillow's fixed point. Small enough for V8 to inline in the loops. */
function taps4(d: Uint8Array, i: number, stride: number, w0: number, w1: number, w2: number, w3: number): number {
  return clip8(
    HALF +
      (d[i] as number) * w0 +
      (d[i + stride] as number) * w1 +
      (d[i + 2 * stride] as number) * w2 +
      (d[i + 3 * stride] as number) * w3,
  );
}

/** The exact-2x interior taps (1/8, 3/8, 3/8, 1/8) on four source values, as small integers. */
function mix2x(a: number, b: number, c: number, d: number): number {
  return (a + 3 * (b + c) + d + 4) >> 3;
}

/** `mix2x` on the four values `stride` apart from `i`: equal to `taps4` with those weights. */
function half2x(d: Uint8Array, i: number, stride: number): number {
  return mix2x(d[i] as number, d[i + stride] as number, d[i + 2 * stride] as number, d[i + 3 * stride] as number);
}

const LANES = 0x00ff00ff;
const ROUND = 0x00040004;

/**
 * `half2x` on four rows at once, four bytes per step (SIMD within a register):
 * bytes 0 and 2 of each word in one pair of 16-bit lanes, bytes 1 and 3 in
 * another. A lane's sum is at most 8 x 255 + 4 = 2044, so lanes never carry
 * into each other, and the result (at most 255) needs no clipping. Byte order
 * does not matter: the same view reads and writes.
 */
function half2xRowWords(mid: Uint32Array, out: Uint32Array, a: number, o: number, words: number): void {
  const b = a + words;
  const c = b + words;
  const d = c + words;
  for (let i = 0; i < words; i++) {
    const wa = mid[a + i] as number;
    const wb = mid[b + i] as number;
    const wc = mid[c + i] as number;
    const wd = mid[d + i] as number;
    const even = (wa & LANES) + (wd & LANES) + 3 * ((wb & LANES) + (wc & LANES)) + ROUND;
    const odd = ((wa >>> 8) & LANES) + ((wd >>> 8) & LANES) + 3 * (((wb >>> 8) & LANES) + ((wc >>> 8) & LANES)) + ROUND;
    out[o + i] = ((even >>> 3) & LANES) | (((odd >>> 3) & LANES) << 8);
  }
}

/** Source pixels for `resize`: HWC bytes, `step` bytes per row. */
export interface PixelRows {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Bytes per row (at least width × channels). */
  readonly step: number;
  readonly channels: number;
}

export interface BilinearResamplerOptions {
  /** Use the WebAssembly SIMD kernels where the engine has them (default true); false: JavaScript only. */
  readonly simd?: boolean;
}

/** Byte offsets of one geometry's buffers inside the kernels' memory. */
interface KernelLayout {
  readonly src: number;
  readonly mid: number;
  readonly out: number;
}

/**
 * Reuses its coefficient tables and buffers across frames of one geometry,
 * so the steady state allocates nothing. Not re-entrant: the returned pixels
 * are overwritten by the next `resize`.
 */
export class BilinearResampler {
  /** Whether the exact-2x interior runs in WebAssembly SIMD. */
  readonly simd: boolean;
  private readonly kernels: PreprocessKernels | undefined;
  private key = '';
  private horizontal: AxisCoefficients | undefined;
  private vertical: AxisCoefficients | undefined;
  private intermediate = new Uint8Array(0);
  private output = new Uint8Array(0);
  /** 32-bit views of `intermediate` and `output` (both start at byte 0 of their own buffers). */
  private mid32 = new Uint32Array(0);
  private out32 = new Uint32Array(0);
  private accumulator = new Int32Array(0);

  constructor(options: BilinearResamplerOptions = {}) {
    this.kernels = options.simd === false ? undefined : createPreprocessKernels();
    this.simd = this.kernels !== undefined;
  }

  /** Packed HWC output, `outWidth × channels` bytes per row. */
  resize(src: PixelRows, outWidth: number, outHeight: number): Uint8Array {
    const { width, height, channels } = src;
    const key = `${width}x${height}>${outWidth}x${outHeight}`;
    if (key !== this.key) {
      this.horizontal = axisCoefficients(width, outWidth);
      this.vertical = axisCoefficients(height, outHeight);
      this.key = key;
    }
    const h = this.horizontal as AxisCoefficients;
    const v = this.vertical as AxisCoefficients;
    if (this.kernels !== undefined && (v.halfTo > v.halfFrom || (channels === 3 && h.halfTo > h.halfFrom)))
      return this.resizeWithKernels(this.kernels, src, h, v, outWidth, outHeight);
    const rowOut = outWidth * channels;
    if (this.intermediate.length < rowOut * height) {
      this.intermediate = new Uint8Array(rowOut * height);
      this.mid32 = new Uint32Array(this.intermediate.buffer, 0, this.intermediate.length >> 2);
    }
    if (this.output.length < rowOut * outHeight) {
      this.output = new Uint8Array(rowOut * outHeight);
      this.out32 = new Uint32Array(this.output.buffer, 0, this.output.length >> 2);
    }
    const mid = this.intermediate;
    const out = this.output.subarray(0, rowOut * outHeight);
    this.horizontalPass(src, h, mid, outWidth);
    this.verticalPass(mid, rowOut, v, out, outHeight);
    return out;
  }

  /**
   * `resize` with the exact-2x interior in WebAssembly: the frame is copied
   * into the kernels' memory (packed rows), the kernels write the interior of
   * each pass and the JavaScript loops only the few edge columns and rows.
   * The pixels returned are a view of that memory.
   */
  private resizeWithKernels(
    k: PreprocessKernels,
    src: PixelRows,
    h: AxisCoefficients,
    v: AxisCoefficients,
    outWidth: number,
    outHeight: number,
  ): Uint8Array {
    const { data, width, height, step, channels } = src;
    const rowIn = width * channels;
    const rowOut = outWidth * channels;
    const at = this.layout(k, rowIn * height, rowOut * height, rowOut * outHeight);
    const mem = new Uint8Array(k.memory.buffer);
    if (step === rowIn) mem.set(data.subarray(0, rowIn * height), at.src);
    else for (let y = 0; y < height; y++) mem.set(data.subarray(y * step, y * step + rowIn), at.src + y * rowIn);
    const packed: PixelRows = {
      data: mem.subarray(at.src, at.src + rowIn * height),
      width,
      height,
      step: rowIn,
      channels,
    };
    const mid = mem.subarray(at.mid, at.mid + rowOut * height);
    const out = mem.subarray(at.out, at.out + rowOut * outHeight);
    const hWasm = channels === 3 && h.halfTo > h.halfFrom;
    if (hWasm) k.h2xRgb(at.src, rowIn, height, at.mid, rowOut, h.halfFrom, h.halfTo);
    this.horizontalPass(packed, h, mid, outWidth, hWasm);
    const vWasm = v.halfTo > v.halfFrom;
    if (vWasm) k.v2x(at.mid, rowOut, at.out, v.halfFrom, v.halfTo);
    this.verticalPass(mid, rowOut, v, out, outHeight, vWasm);
    return out;
  }

  /** Offsets of source, intermediate and output in the kernels' memory, grown to fit. */
  private layout(k: PreprocessKernels, srcBytes: number, midBytes: number, outBytes: number): KernelLayout {
    const src = 0;
    const mid = align16(src + srcBytes + KERNEL_SLACK);
    const out = align16(mid + midBytes + KERNEL_SLACK);
    ensureMemory(k.memory, out + outBytes + KERNEL_SLACK);
    return { src, mid, out };
  }

  /** `skipInterior`: the exact-2x interior columns were written by the kernels; do the edges only. */
  private horizontalPass(
    src: PixelRows,
    h: AxisCoefficients,
    mid: Uint8Array,
    outWidth: number,
    skipInterior = false,
  ): void {
    const { data, height, step, channels } = src;
    const { first, count, weights, ksize, halfFrom, halfTo } = h;
    const rowOut = outWidth * channels;
    const fast = channels === 3 && halfTo > halfFrom;
    for (let y = 0; y < height; y++) {
      const row = y * step;
      let di = y * rowOut;
      for (let x = 0; x < outWidth; x++) {
        if (skipInterior && x === halfFrom) {
          di += (halfTo - halfFrom) * channels;
          x = halfTo;
          if (x >= outWidth) break;
        } else if (fast && x === halfFrom) {
          // Exact 2x interior: small-integer taps, no weight table, no clipping needed.
          // A sliding window: output x reads source pixels 2x-1..2x+2, and the last two
          // of them are the first two of output x+1, so each source byte is loaded once.
          let si = row + (2 * x - 1) * 3;
          let a0 = data[si] as number;
          let a1 = data[si + 1] as number;
          let a2 = data[si + 2] as number;
          let b0 = data[si + 3] as number;
          let b1 = data[si + 4] as number;
          let b2 = data[si + 5] as number;
          for (si += 6; x < halfTo; x++, si += 6) {
            const c0 = data[si] as number;
            const c1 = data[si + 1] as number;
            const c2 = data[si + 2] as number;
            const d0 = data[si + 3] as number;
            const d1 = data[si + 4] as number;
            const d2 = data[si + 5] as number;
            mid[di++] = mix2x(a0, b0, c0, d0);
            mid[di++] = mix2x(a1, b1, c1, d1);
            mid[di++] = mix2x(a2, b2, c2, d2);
            a0 = c0;
            a1 = c1;
            a2 = c2;
            b0 = d0;
            b1 = d1;
            b2 = d2;
          }
          if (x >= outWidth) break;
        }
        const n = count[x] as number;
        const k0 = x * ksize;
        let si = row + (first[x] as number) * channels;
        if (channels === 3 && n === 4) {
          const w0 = weights[k0] as number;
          const w1 = weights[k0 + 1] as number;
          const w2 = weights[k0 + 2] as number;
          const w3 = weights[k0 + 3] as number;
          mid[di++] = taps4(data, si, 3, w0, w1, w2, w3);
          mid[di++] = taps4(data, si + 1, 3, w0, w1, w2, w3);
          mid[di++] = taps4(data, si + 2, 3, w0, w1, w2, w3);
        } else if (channels === 3) {
          let a0 = HALF;
          let a1 = HALF;
          let a2 = HALF;
          for (let k = 0; k < n; k++, si += 3) {
            const w = weights[k0 + k] as number;
            a0 += (data[si] as number) * w;
            a1 += (data[si + 1] as number) * w;
            a2 += (data[si + 2] as number) * w;
          }
          mid[di++] = clip8(a0);
          mid[di++] = clip8(a1);
          mid[di++] = clip8(a2);
        } else {
          for (let c = 0; c < channels; c++) {
            let a = HALF;
            for (let k = 0; k < n; k++) a += (data[si + k * channels + c] ?? 0) * (weights[k0 + k] ?? 0);
            mid[di++] = clip8(a);
          }
        }
      }
    }
  }

  private verticalPass(
    mid: Uint8Array,
    rowBytes: number,
    v: AxisCoefficients,
    out: Uint8Array,
    outHeight: number,
    skipInterior = false,
  ): void {
    const { first, count, weights, ksize, halfFrom, halfTo } = v;
    // Whole rows start on 4-byte boundaries when a row is a multiple of 4 bytes: then 4 bytes per step.
    const words = rowBytes % 4 === 0;
    for (let y = 0; y < outHeight; y++) {
      const n = count[y] as number;
      const k0 = y * ksize;
      const di = y * rowBytes;
      let base = (first[y] as number) * rowBytes;
      if (y >= halfFrom && y < halfTo) {
        if (skipInterior) continue;
        // Exact 2x interior: (a + 3b + 3c + d + 4) >> 3, as Pillow's fixed point gives there.
        if (words) half2xRowWords(this.mid32, this.out32, base >> 2, di >> 2, rowBytes >> 2);
        else for (let i = 0; i < rowBytes; i++) out[di + i] = half2x(mid, base + i, rowBytes);
        continue;
      }
      if (n === 4) {
        // The usual tap count at a 2x downscale: one pass over four source rows.
        const w0 = weights[k0] as number;
        const w1 = weights[k0 + 1] as number;
        const w2 = weights[k0 + 2] as number;
        const w3 = weights[k0 + 3] as number;
        for (let i = 0; i < rowBytes; i++) out[di + i] = taps4(mid, base + i, rowBytes, w0, w1, w2, w3);
        continue;
      }
      // Any other tap count: accumulate tap by tap over whole rows (sequential reads).
      if (this.accumulator.length < rowBytes) this.accumulator = new Int32Array(rowBytes);
      const acc = this.accumulator;
      acc.fill(HALF, 0, rowBytes);
      for (let k = 0; k < n; k++, base += rowBytes) {
        const w = weights[k0 + k] as number;
        for (let i = 0; i < rowBytes; i++) acc[i] = (acc[i] as number) + (mid[base + i] as number) * w;
      }
      for (let i = 0; i < rowBytes; i++) out[di + i] = clip8(acc[i] as number);
    }
  }
}
