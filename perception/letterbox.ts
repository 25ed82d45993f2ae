/**
 * Image → model input tensor. sharp decodes and resizes encoded images in
 * one libvips pipeline (JPEG shrink-on-load makes large downscales cheap) on
 * a pool thread (`prepare`); raw camera frames are downscaled in JavaScript
 * (`resample.ts`, Pillow's bilinear). Then one synchronous pass normalises HWC uint8 into a
 * Float32Array that is allocated once per preprocessor and reused for every
 * frame (`fill`); for RGB into NCHW, the usual case, that pass is a
 * WebAssembly SIMD kernel (`preprocess-wasm.ts`) and the tensor lives in the
 * kernel's memory.
 *
 * Boxes go back with `LetterboxTransform`: x_original = (x_model - padX) / scaleX.
 */
import sharp from 'sharp';
import type { OutputInfo, Sharp } from 'sharp';
import { PerceptionInputError } from './errors.js';
import { readImageSize } from './image-size.js';
import { stripJpegMetadata } from './jpeg-metadata.js';
import {
  align16,
  createPreprocessKernels,
  ensureMemory,
  KERNEL_SLACK,
  type PreprocessKernels,
} from './preprocess-wasm.js';
import { BilinearResampler, type BilinearResamplerOptions } from './resample.js';

/**
 * Pixels decoded and resized to where they land in the model input, not yet
 * in the tensor: what `Preprocessor.prepare` hands to `Preprocessor.fill`.
 */
export interface PreparedFrame {
  /**
   * HWC bytes, `step` bytes per row. May be the caller's raw frame buffer, or the
   * preprocessor's own reused buffer, valid until its next `prepare`.
   */
  readonly pixels: Uint8Array;
  /** Pixels. */
  readonly width: number;
  readonly height: number;
  readonly step: number;
  readonly channels: number;
  /** Source channel order is BGR(A). */
  readonly bgr: boolean;
  readonly transform: LetterboxTransform;
}

/** ROS `sensor_msgs/Image` encodings Kestrel reads directly. */
export type RawPixelEncoding = 'rgb8' | 'bgr8' | 'mono8' | 'rgba8' | 'bgra8';

/** Uncompressed pixels, for example a ROS `Image` message or a camera driver buffer. */
export interface RawFrame {
  readonly data: Uint8Array;
  /** Pixels. */
  readonly width: number;
  /** Pixels. */
  readonly height: number;
  readonly encoding: RawPixelEncoding;
  /** Bytes per row; default width × channels (ROS `step`). */
  readonly step?: number;
}

/** An encoded image (JPEG, PNG, WebP… anything sharp reads) or raw pixels. */
export type ImageInput = Uint8Array | RawFrame;

export interface PreprocessSpec {
  /** Model input width, pixels. */
  readonly width: number;
  /** Model input height, pixels. */
  readonly height: number;
  readonly layout: 'NCHW' | 'NHWC';
  readonly colour: 'rgb' | 'bgr';
  readonly resize: 'letterbox' | 'stretch';
  /** 0..255 before normalisation. */
  readonly padValue: number;
  readonly scale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** Where the original image sits inside the model input. */
export interface LetterboxTransform {
  /** Original image size, pixels. */
  readonly srcWidth: number;
  readonly srcHeight: number;
  /** Model pixels per original pixel, per axis (equal when letterboxing). */
  readonly scaleX: number;
  readonly scaleY: number;
  /** Padding before the image in the model input, pixels. */
  readonly padX: number;
  readonly padY: number;
}

const CHANNELS: Record<RawPixelEncoding, { channels: 1 | 3 | 4; bgr: boolean }> = {
  rgb8: { channels: 3, bgr: false },
  bgr8: { channels: 3, bgr: true },
  mono8: { channels: 1, bgr: false },
  rgba8: { channels: 4, bgr: false },
  bgra8: { channels: 4, bgr: true },
};

export function isRawFrame(input: ImageInput): input is RawFrame {
  return !(input instanceof Uint8Array);
}

/** Maps a box from model-input pixels back to original pixels, clipped to the image. In place on `xyxy[offset..offset+3]`. */
export function unletterboxInPlace(xyxy: Float32Array | number[], offset: number, t: LetterboxTransform): void {
  const x1 = ((xyxy[offset] ?? 0) - t.padX) / t.scaleX;
  const y1 = ((xyxy[offset + 1] ?? 0) - t.padY) / t.scaleY;
  const x2 = ((xyxy[offset + 2] ?? 0) - t.padX) / t.scaleX;
  const y2 = ((xyxy[offset + 3] ?? 0) - t.padY) / t.scaleY;
  xyxy[offset] = Math.min(Math.max(x1, 0), t.srcWidth);
  xyxy[offset + 1] = Math.min(Math.max(y1, 0), t.srcHeight);
  xyxy[offset + 2] = Math.min(Math.max(x2, 0), t.srcWidth);
  xyxy[offset + 3] = Math.min(Math.max(y2, 0), t.srcHeight);
}

/** The resampler's options, which the preprocessor passes on: `simd` covers both its kernels and the fill. */
export type PreprocessorOptions = BilinearResamplerOptions;

/**
 * Fills one reused input tensor from images of any size. Not re-entrant:
 * `run()` overwrites `tensor`, so one preprocessor serves one frame at a time.
 */
export class Preprocessor {
  readonly spec: PreprocessSpec;
  /**
   * The model input, reused across frames. Read it before the next `run()`.
   * With the SIMD kernels it is a view of their memory, which is sized once
   * here and never grows, so the view stays valid.
   */
  readonly tensor: Float32Array;
  readonly dims: readonly number[];
  /** Whether the fill (and the resampler's exact-2x passes) run in WebAssembly SIMD. */
  readonly simd: boolean;
  /**
   * Per model channel, normalisation as float32 arithmetic, v * k + b with
   * k = scale / std and b = -mean / std: the same operations the SIMD fill does.
   */
  private readonly affine: [[number, number], [number, number], [number, number]];
  /** Per model channel: normalised value for each 0..255 byte, so the hot loop is a table read. */
  private readonly luts: [Float32Array, Float32Array, Float32Array];
  private readonly padNormalised: [number, number, number];
  /** Geometry of the last frame; the pad border is rewritten only when it changes. */
  private lastGeometry = '';
  private scratch = new Uint8Array(0);
  private readonly resampler: BilinearResampler;
  private readonly kernels: PreprocessKernels | undefined;
  /** Where the fill kernel reads its pixels from: after the tensor in the kernels' memory. */
  private readonly stagingAt: number;
  private readonly kernelBytes: Uint8Array;

  constructor(spec: PreprocessSpec, options: PreprocessorOptions = {}) {
    this.spec = spec;
    const n = 3 * spec.width * spec.height;
    this.kernels = options.simd === false ? undefined : createPreprocessKernels();
    this.simd = this.kernels !== undefined;
    if (this.kernels === undefined) {
      this.stagingAt = 0;
      this.kernelBytes = new Uint8Array(0);
      this.tensor = new Float32Array(n);
    } else {
      // [tensor | staging for one model-sized RGB image], sized once: nothing here grows it again.
      this.stagingAt = align16(n * 4);
      ensureMemory(this.kernels.memory, this.stagingAt + spec.width * spec.height * 3 + KERNEL_SLACK);
      this.kernelBytes = new Uint8Array(this.kernels.memory.buffer);
      this.tensor = new Float32Array(this.kernels.memory.buffer, 0, n);
    }
    this.resampler = new BilinearResampler(options);
    this.dims = spec.layout === 'NCHW' ? [1, 3, spec.height, spec.width] : [1, spec.height, spec.width, 3];
    const affine = (c: 0 | 1 | 2): [number, number] => [
      Math.fround(spec.scale / spec.std[c]),
      Math.fround(-spec.mean[c] / spec.std[c]),
    ];
    this.affine = [affine(0), affine(1), affine(2)];
    const lut = (c: 0 | 1 | 2): Float32Array => {
      const [k, b] = this.affine[c];
      const t = new Float32Array(256);
      // Each step rounded to float32 as the kernel's f32 mul and add are (exact in float64 first:
      // a byte times a float32 needs 32 bits, and float64 then float32 rounding of a sum is float32's).
      for (let v = 0; v < 256; v++) t[v] = Math.fround(Math.fround(v * k) + b);
      return t;
    };
    this.luts = [lut(0), lut(1), lut(2)];
    this.padNormalised = [
      this.luts[0][spec.padValue] ?? 0,
      this.luts[1][spec.padValue] ?? 0,
      this.luts[2][spec.padValue] ?? 0,
    ];
  }

  /** Size the image lands at inside the model input, and its padding. */
  geometry(srcWidth: number, srcHeight: number): LetterboxTransform & { width: number; height: number } {
    const { width: W, height: H } = this.spec;
    if (this.spec.resize === 'stretch') {
      return {
        srcWidth,
        srcHeight,
        width: W,
        height: H,
        scaleX: W / srcWidth,
        scaleY: H / srcHeight,
        padX: 0,
        padY: 0,
      };
    }
    const s = Math.min(W / srcWidth, H / srcHeight);
    const width = Math.min(W, Math.max(1, Math.round(srcWidth * s)));
    const height = Math.min(H, Math.max(1, Math.round(srcHeight * s)));
    // Centre the image (Ultralytics/YOLOX put the odd pixel on the far side).
    const padX = Math.floor((W - width) / 2);
    const padY = Math.floor((H - height) / 2);
    return { srcWidth, srcHeight, width, height, scaleX: width / srcWidth, scaleY: height / srcHeight, padX, padY };
  }

  /** Decodes/resizes `input` into `tensor` and says where the image landed. */
  async run(input: ImageInput): Promise<LetterboxTransform> {
    return this.fill(await this.prepare(input));
  }

  /**
   * The asynchronous half of `run`: decode and resize to the letterboxed size
   * in one sharp call, which runs on a libuv pool thread. It does not touch
   * `tensor`, so it may run while the tensor is still being read by an
   * inference; `fill` then writes the tensor on the caller's thread.
   */
  async prepare(input: ImageInput): Promise<PreparedFrame> {
    if (isRawFrame(input)) return this.prepareRaw(input);
    let size = readImageSize(input);
    let image: Sharp;
    try {
      // ignoreIcc: an embedded ICC profile would cost an lcms colour transform per frame
      // (4x the decode on bus.jpg), and the models were trained on OpenCV/PIL pixels,
      // which ignore ICC profiles too. Parsing the EXIF and ICC blocks alone costs a
      // quarter of the decode there: they go before libvips sees them (jpeg-metadata.ts).
      image = sharp(stripJpegMetadata(input), { failOn: 'error', ignoreIcc: true });
      if (size === undefined) {
        // Not a JPEG/PNG header we read ourselves (WebP, TIFF…): ask libvips, one extra round trip.
        const meta = await image.metadata();
        size = { width: meta.width, height: meta.height };
      }
    } catch (cause) {
      throw new PerceptionInputError('perception.input_invalid', `cannot decode image: ${errorText(cause)}`, { cause });
    }
    const g = this.geometry(size.width, size.height);
    let pixels: { data: Buffer; info: OutputInfo };
    try {
      pixels = await image
        .removeAlpha()
        .resize(g.width, g.height, { fit: 'fill', kernel: 'linear' })
        .raw()
        .toBuffer({ resolveWithObject: true });
    } catch (cause) {
      throw new PerceptionInputError('perception.input_invalid', `cannot decode image: ${errorText(cause)}`, { cause });
    }
    const { width, height, channels } = pixels.info;
    return { pixels: pixels.data, width, height, step: width * channels, channels, bgr: false, transform: g };
  }

  private async prepareRaw(frame: RawFrame): Promise<PreparedFrame> {
    const layout = CHANNELS[frame.encoding] as (typeof CHANNELS)[RawPixelEncoding] | undefined;
    if (layout === undefined) {
      throw new PerceptionInputError(
        'perception.input_invalid',
        `unsupported raw encoding "${frame.encoding as string}"`,
        {
          issues: [
            { code: 'invalid_value', path: ['encoding'], message: 'expected rgb8, bgr8, mono8, rgba8 or bgra8' },
          ],
        },
      );
    }
    const { width, height } = frame;
    const rowBytes = width * layout.channels;
    const step = frame.step ?? rowBytes;
    if (
      !(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) ||
      step < rowBytes ||
      frame.data.length < step * (height - 1) + rowBytes
    ) {
      throw new PerceptionInputError(
        'perception.input_invalid',
        `raw frame ${width}x${height} ${frame.encoding} step ${step} does not fit its ${frame.data.length} bytes`,
        { issues: [{ code: 'invalid_size', path: ['data'], message: 'buffer smaller than height × step' }] },
      );
    }
    const g = this.geometry(width, height);
    if (g.width === width && g.height === height) {
      // Already model-sized: no resampling, `fill` reads the caller's buffer in place.
      return { pixels: frame.data, width, height, step, channels: layout.channels, bgr: layout.bgr, transform: g };
    }
    if (g.width <= width && g.height <= height) {
      // Downscaling (the usual case for a camera): Pillow's antialiased bilinear in
      // JavaScript, synchronously. No pool-thread round trip, and the pixels the
      // trainer's Pillow letterbox would produce.
      const pixels = this.resampler.resize(
        { data: frame.data, width, height, step, channels: layout.channels },
        g.width,
        g.height,
      );
      const outStep = g.width * layout.channels;
      return {
        pixels,
        width: g.width,
        height: g.height,
        step: outStep,
        channels: layout.channels,
        bgr: layout.bgr,
        transform: g,
      };
    }
    let packed = frame.data;
    if (step !== rowBytes) {
      // sharp reads packed rows only: compact padded rows into a reused scratch buffer.
      if (this.scratch.length < rowBytes * height) this.scratch = new Uint8Array(rowBytes * height);
      for (let y = 0; y < height; y++)
        this.scratch.set(frame.data.subarray(y * step, y * step + rowBytes), y * rowBytes);
      packed = this.scratch.subarray(0, rowBytes * height);
    }
    // Upscaling a small frame: libvips.
    const pixels = await sharp(packed, { raw: { width, height, channels: layout.channels } })
      .resize(g.width, g.height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const ch = pixels.info.channels;
    return {
      pixels: pixels.data,
      width: pixels.info.width,
      height: pixels.info.height,
      step: pixels.info.width * ch,
      channels: ch,
      bgr: layout.bgr,
      transform: g,
    };
  }

  /**
   * HWC uint8 → model layout float32 in one pass, synchronously. The inner
   * loop is three table reads and three stores per pixel; the padding border
   * is rewritten only when the image geometry changes, since the content
   * never touches it.
   */
  fill(frame: PreparedFrame): LetterboxTransform {
    const { pixels: src, width: w, height: h, step, channels, bgr: srcBgr, transform: g } = frame;
    const { width: W, height: H, layout, colour } = this.spec;
    const out = this.tensor;
    const geometry = `${w}x${h}+${g.padX}+${g.padY}`;
    if (geometry !== this.lastGeometry) {
      this.fillPad();
      this.lastGeometry = geometry;
    }
    const swap = srcBgr !== (colour === 'bgr');
    if (this.kernels !== undefined && layout === 'NCHW' && channels === 3) {
      this.fillWithKernel(this.kernels, frame, swap);
      return g;
    }
    // Source byte offset for each model channel.
    const o0 = channels === 1 ? 0 : swap ? 2 : 0;
    const o1 = channels === 1 ? 0 : 1;
    const o2 = channels === 1 ? 0 : swap ? 0 : 2;
    const plane = W * H;
    const [l0, l1, l2] = this.luts;
    // `as number`: indices stay inside `src` (checked in `prepare`) and the tables have 256 entries;
    // a `?? 0` here is a branch per byte on the hottest loop of the preprocessor.
    for (let y = 0; y < h; y++) {
      let si = y * step;
      if (layout === 'NCHW') {
        let di = (y + g.padY) * W + g.padX;
        for (let x = 0; x < w; x++, si += channels, di++) {
          out[di] = l0[src[si + o0] as number] as number;
          out[di + plane] = l1[src[si + o1] as number] as number;
          out[di + 2 * plane] = l2[src[si + o2] as number] as number;
        }
      } else {
        let di = ((y + g.padY) * W + g.padX) * 3;
        for (let x = 0; x < w; x++, si += channels, di += 3) {
          out[di] = l0[src[si + o0] as number] as number;
          out[di + 1] = l1[src[si + o1] as number] as number;
          out[di + 2] = l2[src[si + o2] as number] as number;
        }
      }
    }
    return g;
  }

  /**
   * `fill` for RGB into NCHW in WebAssembly: the pixels are copied next to
   * the tensor (a few hundred kilobytes, tens of microseconds) and the kernel
   * writes four floats per plane per step.
   */
  private fillWithKernel(k: PreprocessKernels, frame: PreparedFrame, swap: boolean): void {
    const { pixels: src, width: w, height: h, step, transform: g } = frame;
    const { width: W, height: H } = this.spec;
    const row = w * 3;
    const at = this.stagingAt;
    if (step === row) this.kernelBytes.set(src.subarray(0, row * h), at);
    else for (let y = 0; y < h; y++) this.kernelBytes.set(src.subarray(y * step, y * step + row), at + y * row);
    const origin = g.padY * W + g.padX;
    const plane = W * H;
    // Source byte j goes to model channel j, or 2 - j when the channel order swaps.
    const m0 = swap ? 2 : 0;
    const m2 = swap ? 0 : 2;
    const [a0, a1, a2] = [this.affine[m0], this.affine[1], this.affine[m2]];
    k.fillRgb(
      at,
      row,
      w,
      h,
      (m0 * plane + origin) * 4,
      (plane + origin) * 4,
      (m2 * plane + origin) * 4,
      W * 4,
      a0[0],
      a1[0],
      a2[0],
      a0[1],
      a1[1],
      a2[1],
    );
  }

  private fillPad(): void {
    const { width: W, height: H, layout } = this.spec;
    const plane = W * H;
    const [p0, p1, p2] = this.padNormalised;
    if (layout === 'NCHW') {
      this.tensor.fill(p0, 0, plane);
      this.tensor.fill(p1, plane, 2 * plane);
      this.tensor.fill(p2, 2 * plane, 3 * plane);
    } else {
      for (let i = 0; i < 3 * plane; i += 3) {
        this.tensor[i] = p0;
        this.tensor[i + 1] = p1;
        this.tensor[i + 2] = p2;
      }
    }
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
