/**
 * Perception benchmark on the real Ultralytics YOLOv8n (int8) from
 * ../shared/reference, against a named reference in the same run:
 *
 * - reference: bare `session.run` of a second onnxruntime session with the
 *   detector's session options, on a tensor that is already prepared;
 * - measured: the full Kestrel frame from JPEG bytes in memory: decode +
 *   letterbox → inference → output decode + NMS → tracking.
 *
 * Bare and full samples alternate so drift (thermal, other load) hits both
 * alike, gc runs between samples, and every full frame must find what the
 * photo holds (the work was really done). Two frames: zidane.jpg is
 * camera-shaped (1280x720); bus.jpg (810x1080) is the conformance photo.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { Preprocessor, Tracker, createDetector } from '../../perception/index.js';
import type { Detector, PreprocessSpec } from '../../perception/index.js';
import { MIB, assertWork, entry, gc, median, percentile } from '../harness.js';
import type { BenchContext, BenchEntry } from '../harness.js';

const SUITE = 'perception';
const FULL_VS_BARE_TARGET = 1.15;
const PREPROCESS_FRACTION_TARGET = 0.25;
const REFERENCE = 'bare_session_run_p50';

const MODEL = ['reference', 'models', 'yolov8n_int8.onnx'];

/** Why the suite cannot run with this context, or undefined when it can. */
export function perceptionSkipReason(ctx: Pick<BenchContext, 'sharedDir'>): string | undefined {
  if (ctx.sharedDir === undefined) return 'no ../shared beside the checkout (real YOLOv8n and photos)';
  try {
    readFileSync(join(ctx.sharedDir, ...MODEL)).subarray(0, 1);
  } catch {
    return `${join(ctx.sharedDir, ...MODEL)} is not readable`;
  }
  return undefined;
}

/** An entry whose target bounds the ratio to the reference, not the value itself. */
function ratioEntry(
  metric: string,
  value: number,
  reference: number,
  unit: string,
  op: '<=' | '<',
  bound: number,
  what: string,
): BenchEntry {
  const ratio = value / reference;
  return {
    suite: SUITE,
    metric,
    value,
    unit,
    reference: REFERENCE,
    ratio,
    target: `${what} ${op} ${bound}`,
    met: op === '<=' ? ratio <= bound : ratio < bound,
  };
}

const ms = (metric: string, value: number): BenchEntry => entry({ suite: SUITE, metric, value, unit: 'ms' });

interface FrameCase {
  readonly name: string;
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  /** The photo's content: a frame that misses it did not do the work. */
  readonly check: (names: readonly string[]) => boolean;
}

export async function perceptionSuite(ctx: BenchContext): Promise<BenchEntry[]> {
  const skip = perceptionSkipReason(ctx);
  if (skip !== undefined || ctx.sharedDir === undefined) {
    process.stderr.write(`perception suite skipped: ${skip ?? 'no shared dir'}\n`);
    return [];
  }
  const ref = join(ctx.sharedDir, 'reference');
  const modelFile = join(ctx.sharedDir, ...MODEL);
  const people = (names: readonly string[]): number => names.filter((n) => n === 'person').length;
  const frames: FrameCase[] = [
    {
      name: 'zidane_1280x720',
      jpeg: readFileSync(join(ref, 'images', 'zidane.jpg')),
      width: 1280,
      height: 720,
      check: (n) => people(n) >= 2,
    },
    {
      name: 'bus_810x1080',
      jpeg: readFileSync(join(ref, 'images', 'bus.jpg')),
      width: 810,
      height: 1080,
      check: (n) => n.includes('bus') && people(n) >= 3,
    },
  ];
  const repeats = Math.max(5, ctx.repeats);

  const detector: Detector = await createDetector(modelFile, {
    overrides: { executionProviders: ['cpu'], warmupRuns: 3 },
  });
  const entries: BenchEntry[] = [];
  try {
    const manifest = detector.manifest;
    const spec: PreprocessSpec = { width: detector.inputWidth, height: detector.inputHeight, ...manifest.input };

    // Reference session: same options as the detector's, fed a ready tensor (zidane.jpg letterboxed once).
    const pre = new Preprocessor(spec);
    await pre.run(frames[0]!.jpeg);
    const ready = new ort.Tensor('float32', Float32Array.from(pre.tensor), [...pre.dims]);
    const bare = await ort.InferenceSession.create(modelFile, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: manifest.graphOptimizationLevel,
      executionMode: 'sequential',
      enableCpuMemArena: true,
      enableMemPattern: true,
      extra: { session: { intra_op: { allow_spinning: manifest.allowSpinning ? '1' : '0' } } },
      ...(manifest.intraOpThreads > 0 ? { intraOpNumThreads: manifest.intraOpThreads } : {}),
    });
    const inputName = bare.inputNames[0]!;
    for (let i = 0; i < 3; i++) await bare.run({ [inputName]: ready });

    const bareMs: number[] = [];
    const full = new Map<
      string,
      { total: number[]; pre: number[]; infer: number[]; post: number[]; track: number[] }
    >();
    for (const f of frames) full.set(f.name, { total: [], pre: [], infer: [], post: [], track: [] });
    // One tracker per image stream, as the runtime keeps one per camera.
    const trackers = new Map(frames.map((f) => [f.name, new Tracker()]));
    let stampMs = 0;
    let framesDone = 0;
    for (let i = 0; i < repeats; i++) {
      gc();
      const t0 = performance.now();
      const out = await bare.run({ [inputName]: ready });
      bareMs.push(performance.now() - t0);
      assertWork('bare output size', out[bare.outputNames[0]!]?.data.length ?? 0, 84 * 8400);

      for (const f of frames) {
        const s = full.get(f.name)!;
        gc();
        const a = performance.now();
        const frame = await detector.run(f.jpeg);
        const b = performance.now();
        stampMs += 100;
        const tracked = trackers.get(f.name)!.update(frame.detections, stampMs);
        const c = performance.now();
        s.total.push(c - a);
        s.pre.push(frame.timings.preprocessMs);
        s.infer.push(frame.timings.inferenceMs);
        s.post.push(frame.timings.postprocessMs);
        s.track.push(c - b);
        const names = frame.detections.map((d) => d.className);
        if (!f.check(names) || frame.width !== f.width || (i > 0 && tracked.length === 0)) {
          throw new Error(`perception bench: ${f.name} frame ${i} missed its content (${names.join(', ')})`);
        }
        framesDone++;
      }
    }
    assertWork('full pipeline frames', framesDone, repeats * frames.length);

    // Preprocessing alone: a 1280x720 JPEG into the 640x640 tensor.
    const preMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      gc();
      const t0 = performance.now();
      const t = await pre.run(frames[0]!.jpeg);
      preMs.push(performance.now() - t0);
      assertWork('preprocessed width', t.srcWidth, 1280);
    }
    await bare.release();

    const bareSorted = [...bareMs].sort((x, y) => x - y);
    const bareP50 = percentile(bareSorted, 50);
    entries.push(ms('bare_session_run_p50', bareP50), ms('bare_session_run_p99', percentile(bareSorted, 99)));
    for (const f of frames) {
      const s = full.get(f.name)!;
      const sorted = [...s.total].sort((x, y) => x - y);
      entries.push(
        ratioEntry(
          `full_pipeline_${f.name}_p50`,
          percentile(sorted, 50),
          bareP50,
          'ms',
          '<=',
          FULL_VS_BARE_TARGET,
          'full / bare',
        ),
        ms(`full_pipeline_${f.name}_p99`, percentile(sorted, 99)),
        ms(`stage_${f.name}_preprocess_p50`, median(s.pre)),
        ms(`stage_${f.name}_inference_p50`, median(s.infer)),
        ms(`stage_${f.name}_postprocess_p50`, median(s.post)),
        ms(`stage_${f.name}_track_p50`, median(s.track)),
      );
    }
    entries.push(
      ratioEntry(
        'preprocess_1280x720_jpeg_p50',
        median(preMs),
        bareP50,
        'ms',
        '<',
        PREPROCESS_FRACTION_TARGET,
        'preprocess / inference',
      ),
      entry({ suite: SUITE, metric: 'peak_rss', value: (process.resourceUsage().maxRSS * 1024) / MIB, unit: 'MiB' }),
    );
    return entries;
  } finally {
    await detector.close();
  }
}
