/**
 * Preprocessing benchmark: a raw camera frame (rgb8, as the simulator and ROS
 * `Image` deliver it) into a letterboxed NCHW float tensor, with the
 * WebAssembly SIMD kernels against the JavaScript loops they replace, in the
 * same run (reference: `Preprocessor` with `{ simd: false }`). Two geometries:
 * 640x480 into the default mission's 320x320 model and 1280x720 into a
 * 640x640 model, both exact 2x downscales. Each is timed back to back and at
 * the detector's cadence (one frame every 200 ms, so caches and the CPU have
 * gone idle, as in the pipeline). Both paths must write the same floats:
 * the suite fails otherwise.
 */
import { Preprocessor } from '../../perception/index.js';
import type { PreprocessSpec, RawFrame } from '../../perception/index.js';
import { assertWork, entry, gc, median } from '../harness.js';
import type { BenchContext, BenchEntry } from '../harness.js';

const SUITE = 'preprocess';
const BACK_TO_BACK_FRAMES = 40;
const CADENCE_FRAMES = 8;
const CADENCE_MS = 200;
const REFERENCE = 'JavaScript loops ({ simd: false }), same run';

const CASES = [
  { name: '640x480_to_320', width: 640, height: 480, model: 320 },
  { name: '1280x720_to_640', width: 1280, height: 720, model: 640 },
] as const;

function spec(size: number): PreprocessSpec {
  return {
    width: size,
    height: size,
    layout: 'NCHW',
    colour: 'rgb',
    resize: 'letterbox',
    padValue: 114,
    scale: 1 / 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  };
}

/** A deterministic noise frame (an LCG): no flat areas a path could be lucky on. */
function frame(width: number, height: number): RawFrame {
  const data = new Uint8Array(width * height * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, width, height, encoding: 'rgb8' };
}

/** Milliseconds per frame of `prepare` + `fill`, one sample per frame. */
async function timeFrames(pre: Preprocessor, input: RawFrame, frames: number, gapMs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < frames; i++) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    const t0 = performance.now();
    pre.fill(await pre.prepare(input));
    out.push(performance.now() - t0);
  }
  return out;
}

export async function preprocessSuite(ctx: BenchContext): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  for (const c of CASES) {
    const input = frame(c.width, c.height);
    const simd = new Preprocessor(spec(c.model));
    const js = new Preprocessor(spec(c.model), { simd: false });
    assertWork('SIMD kernels available', Number(simd.simd), 1);
    // Warm-up (JIT, first geometry), then the check that both paths give the same tensor.
    await timeFrames(simd, input, 5, 0);
    await timeFrames(js, input, 5, 0);
    const differing = simd.tensor.findIndex((v, k) => !Object.is(v, js.tensor[k]));
    assertWork('floats that differ between the SIMD and JavaScript tensors (first index)', differing, -1);
    const b2b = { simd: [] as number[], js: [] as number[] };
    const idle = { simd: [] as number[], js: [] as number[] };
    // Blocks alternate so drift on a shared machine hits both paths alike.
    for (let r = 0; r < ctx.repeats; r++) {
      gc();
      b2b.js.push(median(await timeFrames(js, input, BACK_TO_BACK_FRAMES, 0)));
      gc();
      b2b.simd.push(median(await timeFrames(simd, input, BACK_TO_BACK_FRAMES, 0)));
      idle.js.push(...(await timeFrames(js, input, CADENCE_FRAMES, CADENCE_MS)));
      idle.simd.push(...(await timeFrames(simd, input, CADENCE_FRAMES, CADENCE_MS)));
    }
    const jsB2b = median(b2b.js);
    const jsIdle = median(idle.js);
    entries.push(
      entry({ suite: SUITE, metric: `${c.name}_js_back_to_back`, value: jsB2b, unit: 'ms' }),
      entry({
        suite: SUITE,
        metric: `${c.name}_simd_back_to_back`,
        value: median(b2b.simd),
        unit: 'ms',
        reference: { name: REFERENCE, value: jsB2b },
      }),
      entry({ suite: SUITE, metric: `${c.name}_js_every_${CADENCE_MS}ms`, value: jsIdle, unit: 'ms' }),
      entry({
        suite: SUITE,
        metric: `${c.name}_simd_every_${CADENCE_MS}ms`,
        value: median(idle.simd),
        unit: 'ms',
        reference: { name: REFERENCE, value: jsIdle },
      }),
    );
  }
  return entries;
}
