/**
 * Capture benchmark: the perception pipeline's throughput with field capture
 * on versus off, in the same run, same mission, same frames. The pipeline
 * runs Kestrel's sim detector (models/kestrel-sim-det, 320x320, CPU) on
 * 320x240 frames in a closed loop (publish a frame, wait for its detections).
 * "On" adds the capture component: every frame pushed into the hot ring, every
 * detection frame through the triggers, and captures (uncertainty band and a
 * 5% random sample, at most one per trigger per second of frame time) encoded
 * as JPEG and written to SQLite while the pipeline keeps running.
 * Reference: the same pipeline with capture off. Target: at most 5% slower,
 * judged on the median of the per-repeat ratios (on / off, run back to back).
 * Runs alternate which goes first, so drift in a shared machine's load hits both alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureStore, fieldloopPlugin } from '../../fieldloop/index.js';
import { parseMission } from '../../missions/index.js';
import { perceptionPlugin } from '../../perception/index.js';
import {
  createLogger,
  createRuntime,
  detectionsTopic,
  sensorTopic,
  type CameraFrame,
  type Component,
  type KestrelPlugin,
} from '../../runtime/index.js';
import { assertWork, entry, gc, median, packageRoot } from '../harness.js';
import type { BenchContext, BenchEntry } from '../harness.js';

const SUITE = 'capture';
const WIDTH = 320;
const HEIGHT = 240;
const FRAMES = 150;
const WARMUP = 10;
/** Frame spacing in stamps (15 Hz camera). */
const PERIOD_MS = 66;
const T0 = Date.UTC(2026, 0, 1);
const REFERENCE = 'same pipeline, capture off, same run';

const inert = (name: string): Component => ({ name, start: () => undefined, stop: () => undefined });
const robot: KestrelPlugin = {
  name: 'bench-robot',
  sources: { ros2: (s) => inert(`source-${s.id}`) },
  behaviors: { hold: () => inert('behavior') },
  guard: () => inert('guard'),
  actuators: { log: () => inert('actuator') },
};

/** Seeded noise with a few bright blobs, so the detector sees texture (not a flat image it answers instantly). */
function frames(n: number): CameraFrame[] {
  let s = 12345;
  const rand = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  return Array.from({ length: n }, () => {
    const data = new Uint8Array(WIDTH * HEIGHT * 3);
    for (let i = 0; i < data.length; i++) data[i] = 60 + Math.floor(rand() * 60);
    for (let b = 0; b < 3; b++) {
      const cx = Math.floor(rand() * WIDTH);
      const cy = Math.floor(rand() * HEIGHT);
      for (let y = Math.max(0, cy - 12); y < Math.min(HEIGHT, cy + 12); y++) {
        for (let x = Math.max(0, cx - 12); x < Math.min(WIDTH, cx + 12); x++) {
          const o = (y * WIDTH + x) * 3;
          data[o] = 250;
          data[o + 1] = 120 + Math.floor(rand() * 60);
          data[o + 2] = 20;
        }
      }
    }
    return { frameId: 'cam', width: WIDTH, height: HEIGHT, encoding: 'rgb8', stepBytes: WIDTH * 3, data };
  });
}

function mission(storePath: string) {
  const model = join(packageRoot(), 'models', 'kestrel-sim-det.yaml');
  return parseMission(`
apiVersion: kestrel/v1
mission: { id: bench-capture, version: 1.0.0 }
platform: { kind: multirotor, id: b1, maxSpeedMps: 15 }
guardrails:
  geofence: [[[-20, -20], [420, -20], [420, 320], [-20, 320]]]
  altitude: { minM: 15, maxM: 80 }
  battery: { returnHomePct: 30, landPct: 15 }
sensors:
  - { id: cam, type: camera, source: { kind: ros2, topic: /cam }, rateHz: 15, width: ${WIDTH}, height: ${HEIGHT} }
models:
  - { id: det, manifest: ${JSON.stringify(model)} }
perception:
  pipelines: [{ id: front, camera: cam, model: det }]
capture:
  triggers:
    uncertainty: { minScore: 0.3, maxScore: 0.6 }
    random: { probability: 0.05, seed: 1 }
  preTriggerMs: 1000
  store: { path: ${JSON.stringify(storePath)}, maxMb: 64 }
behavior: { kind: hold }
actuator: { kind: log }
`);
}

/** Frames per second through the pipeline, closed loop. */
async function sample(withCapture: boolean, input: readonly CameraFrame[], storePath: string): Promise<number> {
  const rt = createRuntime(mission(storePath), {
    plugins: [robot, perceptionPlugin, ...(withCapture ? [fieldloopPlugin] : [])],
    logger: createLogger({ level: 'silent' }),
    latency: false,
  });
  await rt.start();
  let waiting: (() => void) | undefined;
  let seen = 0;
  rt.bus.subscribe(
    detectionsTopic,
    () => {
      seen++;
      waiting?.();
    },
    { subscriber: 'bench' },
  );
  const topic = sensorTopic('camera', 'cam');
  const one = async (i: number): Promise<void> => {
    const done = new Promise<void>((resolve) => (waiting = resolve));
    rt.bus.publish(topic, input[i % input.length]!, T0 + i * PERIOD_MS);
    await done;
  };
  try {
    for (let i = 0; i < WARMUP; i++) await one(i);
    gc();
    const t0 = performance.now();
    for (let i = WARMUP; i < WARMUP + FRAMES; i++) await one(i);
    const elapsedS = (performance.now() - t0) / 1000;
    assertWork('detection frames', seen, WARMUP + FRAMES);
    return FRAMES / elapsedS;
  } finally {
    await rt.stop('bench sample done');
  }
}

export async function captureSuite(ctx: BenchContext): Promise<BenchEntry[]> {
  const dir = await mkdtemp(join(tmpdir(), 'kestrel-bench-capture-'));
  const input = frames(30);
  const off: number[] = [];
  const on: number[] = [];
  let stored = 0;
  try {
    for (let r = 0; r < ctx.repeats; r++) {
      const storePath = join(dir, `captures-${r}.sqlite`);
      // Alternate which goes first, so warm-up and load drift favour neither.
      if (r % 2 === 0) {
        off.push(await sample(false, input, storePath));
        on.push(await sample(true, input, storePath));
      } else {
        on.push(await sample(true, input, storePath));
        off.push(await sample(false, input, storePath));
      }
      const store = new CaptureStore({ path: storePath, mustExist: true });
      stored += store.stats().captures;
      store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (stored === 0) throw new Error('benchmark did not do its work: capture on stored no captures');
  const offFps = median(off);
  const onFps = median(on);
  // Each repeat runs on and off back to back; the ratio within a pair sees the same machine load,
  // so the median of the paired ratios is what the target judges (the ratio of the two medians
  // mixes pairs run minutes apart on a shared machine).
  const paired = median(on.map((v, i) => v / (off[i] as number)));
  return [
    entry({ suite: SUITE, metric: 'pipeline throughput, capture off', value: offFps, unit: 'frames/s' }),
    entry({
      suite: SUITE,
      metric: 'pipeline throughput, capture on',
      value: onFps,
      unit: 'frames/s',
      reference: { name: REFERENCE, value: offFps },
    }),
    entry({
      suite: SUITE,
      metric: 'capture on / off, paired per repeat (median)',
      value: paired,
      unit: 'x',
      target: { op: '>=', value: 0.95 },
    }),
    entry({
      suite: SUITE,
      metric: 'captures stored per run (capture on)',
      value: stored / ctx.repeats,
      unit: 'captures',
    }),
  ];
}
