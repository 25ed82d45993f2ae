/**
 * Perception benchmark on the real Ultralytics YOLOv8n (int8) from
 * ../shared/reference, against a named reference in the same run:
 *
 * - reference: bare `session.run` of a second onnxruntime session with the
 *   detector's session options, on a tensor that is already prepared;
 * - measured: the full Kestrel frame from JPEG bytes in memory: decode +
 *   letterbox → inference → output decode + NMS → tracking, as a stream of
 *   frames driven the way PerceptionPipeline drives it on a wall clock (the
 *   next frame is submitted when the detector asks for it, so its decode
 *   overlaps the end of the current inference, per `DetectorOptions.overlap`).
 *   Per frame = block time / frames, against bare runs back to back. Beside
 *   it: `serial`, one frame at a time (no overlap), and the gain of the
 *   overlap as the median of per-repeat pipelined / serial ratios.
 *
 * Beside them, `main_thread`: the same stream with the session on the event
 * loop's thread (`thread: main`, how Kestrel ran before the inference
 * thread), and how long the event loop stalled (timer lateness, p99 and max)
 * during the default stream and during that one, on zidane.jpg, in untimed
 * blocks of their own: what a guard or a ROS callback waits while a frame infers.
 *
 * Bare, pipeline, serial and main-thread blocks alternate so drift (thermal, other load)
 * hits all alike, gc runs between blocks, and every full frame must find what
 * the photo holds (the work was really done). Two frames: zidane.jpg is
 * camera-shaped (1280x720); bus.jpg (810x1080) is the conformance photo.
 * Latency is submission to tracked detections of each pipelined frame.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { Preprocessor, Tracker, createDetector, sessionConfig } from '../../perception/index.js';
import type { DetectionFrame, Detector, PreprocessSpec, StageTimings } from '../../perception/index.js';
import { MIB, assertWork, entry, gc, median, percentile } from '../harness.js';
import type { BenchContext, BenchEntry } from '../harness.js';

const SUITE = 'perception';
const FULL_VS_BARE_TARGET = 1.15;
const PREPROCESS_FRACTION_TARGET = 0.25;
const REFERENCE = 'bare_session_run_per_frame';
/** Frames per timed block: a stream long enough for the overlap to reach its steady state. */
const FRAMES_PER_BLOCK = 6;

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

/**
 * How late a 1 ms timer fires while something else runs: the time the event
 * loop could not serve anything. Not perf_hooks' monitorEventLoopDelay: its
 * first sample after a re-enable counts the whole time it was off.
 */
class StallProbe {
  readonly lateMs: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private due = 0;

  start(): void {
    this.due = performance.now() + 1;
    this.timer = setTimeout(this.tick, 1);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly tick = (): void => {
    const now = performance.now();
    this.lateMs.push(Math.max(0, now - this.due));
    this.due = now + 1;
    this.timer = setTimeout(this.tick, 1);
  };
}

function stallEntries(prefix: string, probe: StallProbe): BenchEntry[] {
  const late = [...probe.lateMs].sort((x, y) => x - y);
  return [ms(`${prefix}_p99`, percentile(late, 99)), ms(`${prefix}_max`, late.at(-1) ?? 0)];
}

interface FrameCase {
  readonly name: string;
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  /** The photo's content: a frame that misses it did not do the work. */
  readonly check: (names: readonly string[]) => boolean;
}

interface CaseSamples {
  /** ms per frame of each pipelined block. */
  readonly pipelined: number[];
  /** ms per frame of each serial block. */
  readonly serial: number[];
  /** ms per frame of each block with the session on the event loop's thread. */
  readonly mainThread: number[];
  /** pipelined / bare per frame, block by block. */
  readonly ratioPairs: number[];
  /** pipelined / serial per frame, repeat by repeat. */
  readonly overlapPairs: number[];
  /** Submission to tracked detections, per pipelined frame. */
  readonly latency: number[];
  readonly track: number[];
  readonly stages: StageTimings[];
}

function newCaseSamples(): CaseSamples {
  return {
    pipelined: [],
    serial: [],
    mainThread: [],
    ratioPairs: [],
    overlapPairs: [],
    latency: [],
    track: [],
    stages: [],
  };
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
  // The session on the event loop's thread, as before the inference thread.
  const onMainThread: Detector = await createDetector(modelFile, {
    overrides: { executionProviders: ['cpu'], warmupRuns: 3, thread: 'main' },
  });
  // Event-loop lateness during the default stream and during the main-thread one (ns).
  const stallWorker = new StallProbe();
  const stallMain = new StallProbe();
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
      enableMemPattern: manifest.memoryPattern,
      extra: { session: sessionConfig(manifest) },
      ...(manifest.intraOpThreads > 0 ? { intraOpNumThreads: manifest.intraOpThreads } : {}),
    });
    const inputName = bare.inputNames[0]!;
    for (let i = 0; i < 3; i++) await bare.run({ [inputName]: ready });

    /** K back-to-back bare runs: ms per frame, and each run's time. */
    const bareBlock = async (): Promise<{ perFrame: number; each: number[] }> => {
      gc();
      const each: number[] = [];
      const start = performance.now();
      for (let k = 0; k < FRAMES_PER_BLOCK; k++) {
        const t0 = performance.now();
        const out = await bare.run({ [inputName]: ready });
        each.push(performance.now() - t0);
        assertWork('bare output size', out[bare.outputNames[0]!]?.data.length ?? 0, 84 * 8400);
      }
      return { perFrame: (performance.now() - start) / FRAMES_PER_BLOCK, each };
    };

    const bareMs: number[] = [];
    const barePerFrame: number[] = [];
    const results = new Map(frames.map((f) => [f.name, newCaseSamples()]));
    // One tracker per image stream, as the runtime keeps one per camera.
    const trackers = new Map(frames.map((f) => [f.name, new Tracker()]));
    let stampMs = 0;
    let framesDone = 0;
    const checkFrame = (f: FrameCase, frame: DetectionFrame, tracked: number, i: number): void => {
      const names = frame.detections.map((d) => d.className);
      if (!f.check(names) || frame.width !== f.width || (i > 0 && tracked === 0)) {
        throw new Error(`perception bench: ${f.name} frame ${i} missed its content (${names.join(', ')})`);
      }
      framesDone++;
    };

    /**
     * A stream of frames driven as PerceptionPipeline drives it on a wall clock with a camera
     * faster than the model: the next frame is handed over when the detector asks for it
     * (nextFrameDue). Returns ms per frame; latency and stages land in `s` when given.
     */
    const streamBlock = async (
      det: Detector,
      f: FrameCase,
      s: CaseSamples | undefined,
      stall?: StallProbe,
    ): Promise<number> => {
      const tracker = trackers.get(f.name)!;
      gc();
      const tracking: Promise<void>[] = [];
      stall?.start();
      const start = performance.now();
      for (let k = 0; k < FRAMES_PER_BLOCK; k++) {
        const submitted = performance.now();
        const pending = det.submit(f.jpeg);
        tracking.push(
          pending.result.then((frame) => {
            const t0 = performance.now();
            stampMs += 100;
            const tracked = tracker.update(frame.detections, stampMs);
            const t1 = performance.now();
            s?.latency.push(t1 - submitted);
            s?.track.push(t1 - t0);
            s?.stages.push(frame.timings);
            checkFrame(f, frame, tracked.length, k);
          }),
        );
        await pending.nextFrameDue;
      }
      await Promise.all(tracking);
      const perFrame = (performance.now() - start) / FRAMES_PER_BLOCK;
      stall?.stop();
      return perFrame;
    };

    for (let r = 0; r < repeats; r++) {
      // Bare, pipeline, serial and main-thread blocks alternate so machine drift hits all alike.
      const b = await bareBlock();
      barePerFrame.push(b.perFrame);
      bareMs.push(...b.each);
      for (const f of frames) {
        const s = results.get(f.name)!;
        s.pipelined.push(await streamBlock(detector, f, s));
        s.ratioPairs.push((s.pipelined.at(-1) ?? 0) / b.perFrame);
        s.mainThread.push(await streamBlock(onMainThread, f, undefined));

        // Serial, one frame at a time (no overlap).
        gc();
        const tracker = trackers.get(f.name)!;
        const serialStart = performance.now();
        for (let k = 0; k < FRAMES_PER_BLOCK; k++) {
          const frame = await detector.run(f.jpeg);
          stampMs += 100;
          checkFrame(f, frame, tracker.update(frame.detections, stampMs).length, k);
        }
        s.serial.push((performance.now() - serialStart) / FRAMES_PER_BLOCK);
        s.overlapPairs.push((s.pipelined.at(-1) ?? 0) / (s.serial.at(-1) ?? 1));
      }
      // Event-loop stalls in blocks of their own, untimed: the probe's 1 ms timer wakes the
      // main thread a thousand times a second, which the timed blocks must not pay for.
      await streamBlock(detector, frames[0]!, undefined, stallWorker);
      await streamBlock(onMainThread, frames[0]!, undefined, stallMain);
    }
    assertWork('full pipeline frames', framesDone, (3 * frames.length + 2) * repeats * FRAMES_PER_BLOCK);

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
    const bareFrame = median(barePerFrame);
    entries.push(
      ms('bare_session_run_per_frame', bareFrame),
      ms('bare_session_run_p50', percentile(bareSorted, 50)),
      ms('bare_session_run_p99', percentile(bareSorted, 99)),
    );
    for (const f of frames) {
      const s = results.get(f.name)!;
      const latency = [...s.latency].sort((x, y) => x - y);
      const stage = (pick: (t: StageTimings) => number): number => median(s.stages.map(pick));
      entries.push(
        ratioEntry(
          `full_pipeline_${f.name}_per_frame`,
          median(s.pipelined),
          bareFrame,
          'ms',
          '<=',
          FULL_VS_BARE_TARGET,
          'full / bare',
        ),
        entry({
          suite: SUITE,
          metric: `full_pipeline_${f.name}_ratio_median_of_pairs`,
          value: median(s.ratioPairs),
          unit: 'x',
        }),
        ratioEntry(
          `serial_${f.name}_per_frame`,
          median(s.serial),
          bareFrame,
          'ms',
          '<=',
          FULL_VS_BARE_TARGET,
          'serial / bare',
        ),
        entry({
          suite: SUITE,
          metric: `overlap_gain_${f.name}_median_of_pairs`,
          value: median(s.overlapPairs),
          unit: 'x',
        }),
        ms(`main_thread_${f.name}_per_frame`, median(s.mainThread)),
        ms(`latency_${f.name}_p50`, percentile(latency, 50)),
        ms(`latency_${f.name}_p99`, percentile(latency, 99)),
        ms(
          `stage_${f.name}_wait_p50`,
          stage((t) => t.waitMs ?? 0),
        ),
        ms(
          `stage_${f.name}_preprocess_p50`,
          stage((t) => t.preprocessMs),
        ),
        ms(
          `stage_${f.name}_inference_p50`,
          stage((t) => t.inferenceMs),
        ),
        ms(
          `stage_${f.name}_postprocess_p50`,
          stage((t) => t.postprocessMs),
        ),
        ms(`stage_${f.name}_track_p50`, median(s.track)),
      );
    }
    entries.push(
      ratioEntry(
        'preprocess_1280x720_jpeg_p50',
        median(preMs),
        bareFrame,
        'ms',
        '<',
        PREPROCESS_FRACTION_TARGET,
        'preprocess / inference',
      ),
      ...stallEntries('event_loop_stall', stallWorker),
      ...stallEntries('event_loop_stall_main_thread', stallMain),
      entry({ suite: SUITE, metric: 'peak_rss', value: (process.resourceUsage().maxRSS * 1024) / MIB, unit: 'MiB' }),
    );
    return entries;
  } finally {
    await detector.close();
    await onMainThread.close();
  }
}
