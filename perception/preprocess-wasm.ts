/**
 * Kestrel's preprocessing kernels in WebAssembly SIMD
 * (perception/wasm/preprocess.wat): the resampler's exact-2x passes and the
 * preprocessor's byte-to-float fill, 16 bytes per instruction where the
 * JavaScript loops do one, with the same arithmetic, so the results are the
 * same bytes and floats. Each user gets its own instance (its own memory);
 * the module is compiled once per process. Where the engine has no wasm SIMD
 * the callers keep their JavaScript loops.
 */
import { PREPROCESS_WASM } from './wasm/preprocess-module.js';

/** The part of WebAssembly's memory used here (this project's TypeScript libs do not declare the global). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The part of the `WebAssembly` global used here. */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
}

const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** The kernels' exports, as preprocess.wat declares them (addresses are byte offsets into `memory`). */
export interface PreprocessKernels {
  readonly memory: WasmMemory;
  /** RGB horizontal 2x pass: output pixels [x0, x1) of `rows` rows; x0 >= 1. */
  h2xRgb(src: number, srcStep: number, rows: number, dst: number, dstStep: number, x0: number, x1: number): void;
  /** Vertical 2x pass: output rows [y0, y1), `rowBytes` per row in and out; y0 >= 1. */
  v2x(src: number, rowBytes: number, dst: number, y0: number, y1: number): void;
  /** RGB bytes to three float32 planes: source byte j to the plane at `pj`, times `kj` plus `bj`. */
  fillRgb(
    src: number,
    step: number,
    w: number,
    h: number,
    p0: number,
    p1: number,
    p2: number,
    rowStride: number,
    k0: number,
    k1: number,
    k2: number,
    b0: number,
    b1: number,
    b2: number,
  ): void;
}

/** Slack after every region the kernels read with 16-byte loads (the horizontal pass reads 32 for 30). */
export const KERNEL_SLACK = 32;

const PAGE = 65536;

let compiled: object | null | undefined;

function module(): object | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(PREPROCESS_WASM, 'base64');
    // validate() is false on an engine without fixed-width SIMD: no throw, the JavaScript path.
    compiled = wasm?.validate(bytes) === true ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** A fresh instance with its own memory, or undefined where wasm SIMD is unavailable. */
export function createPreprocessKernels(): PreprocessKernels | undefined {
  const m = module();
  if (m === null || wasm === undefined) return undefined;
  return new wasm.Instance(m).exports as PreprocessKernels;
}

/** `n` rounded up to a multiple of 16: where a region the kernels read with v128.load starts. */
export function align16(n: number): number {
  return (n + 15) & ~15;
}

/** Grows `memory` to at least `bytes`. Every view of the old buffer is detached by a growth. */
export function ensureMemory(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}
