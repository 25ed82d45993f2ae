/**
 * Frames overlap: the next frame's decode runs while the current one infers,
 * at most one frame waits preprocessed, results keep submission order, and a
 * reload swaps models between frames.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Preprocessor, createDetector, onnxBackend, registerBackend, type Detector } from '../../perception/index.js';
import { greyPng, modelPath, wrapRunner } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'kestrel-pipelining-'));
const open: Detector[] = [];
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await Promise.all(open.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The real onnx backend with a hold on each inference: `runs` counts calls
 * into the model and `release()` lets the oldest held one finish. Only after
 * `hold = true`, so warm-up runs straight through. Registered as `onnx` (the
 * manifest's backend names are fixed) for this file's module graph only.
 */
const gate = { hold: false, runs: 0, held: [] as (() => void)[] };
function release(): void {
  gate.held.shift()?.();
}
registerBackend({
  name: 'onnx',
  async load(bytes, manifest, ctx) {
    const inner = await onnxBackend.load(bytes, manifest, ctx);
    const runner = wrapRunner(inner, {
      async run(name, data, dims) {
        if (gate.hold) {
          gate.runs++;
          await new Promise<void>((resolve) => gate.held.push(resolve));
        }
        return inner.run(name, data, dims);
      },
    });
    return runner;
  },
});

async function detector(...args: Parameters<typeof createDetector>): Promise<Detector> {
  const d = await createDetector(...args);
  open.push(d);
  return d;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('detector pipelining', () => {
  it('decodes the next frame during an inference, never more than one ahead, and keeps order', async () => {
    const d = await detector({
      path: modelPath('yolov8'),
      executionProviders: ['cpu'],
    });
    const prepare = vi.spyOn(Preprocessor.prototype, 'prepare');
    gate.runs = 0;
    gate.hold = true;
    try {
      const images = [await greyPng(64, 64), await greyPng(128, 64), await greyPng(32, 96)];
      const frames = images.map((img) => d.submit(img));
      await sleep(150);
      // Frame 1 infers (held); frame 2 is decoded and waits; frame 3 waits to be decoded.
      expect(gate.runs).toBe(1);
      expect(prepare).toHaveBeenCalledTimes(2);
      release();
      await expect.poll(() => gate.runs).toBe(2);
      await expect.poll(() => prepare.mock.calls.length).toBe(3);
      release();
      await expect.poll(() => gate.runs).toBe(3);
      release();
      const results = await Promise.all(frames.map((f) => f.result));
      expect(results.map((r) => [r.width, r.height])).toEqual([
        [64, 64],
        [128, 64],
        [32, 96],
      ]);
      for (const r of results) expect(r.detections.map((x) => x.className)).toEqual(['person', 'car']);
      // Frame 2 sat decoded behind frame 1's held inference for most of the 150 ms.
      expect(results[1]!.timings.waitMs).toBeGreaterThan(50);
      expect(results[0]!.timings.totalMs).toBeGreaterThanOrEqual(results[0]!.timings.inferenceMs);
      await Promise.all(frames.map((f) => f.nextFrameDue));
    } finally {
      gate.hold = false;
      while (gate.held.length > 0) release();
    }
  });

  it('asks for the next frame during the inference when overlap can take effect: not while run() holds the event loop', async () => {
    const img = await greyPng(64, 64);
    const dueWhileHeld = async (overlap: 'auto' | 'always', thread: 'worker' | 'main'): Promise<boolean> => {
      const d = await detector({ path: modelPath('yolov8'), executionProviders: ['cpu'], thread }, { overlap });
      await d.run(img); // stage estimates: a few ms each
      gate.hold = true;
      try {
        const frame = d.submit(img);
        let due = false;
        void frame.nextFrameDue.then(() => {
          due = true;
        });
        await expect.poll(() => gate.runs).toBeGreaterThan(0);
        await sleep(100);
        release();
        await frame.result;
        return due;
      } finally {
        gate.hold = false;
        gate.runs = 0;
        while (gate.held.length > 0) release();
      }
    };
    // Held for 100 ms against an estimate of a few: an overlapping detector asks at once.
    // By default it does with the session on its inference thread, and not with the session on
    // the event loop's thread (thread: main), whose runs block the timer that would ask.
    expect(await dueWhileHeld('always', 'main')).toBe(true);
    expect(await dueWhileHeld('auto', 'worker')).toBe(true);
    expect(await dueWhileHeld('auto', 'main')).toBe(false);
  });

  it('a frame that fails to decode does not hold up the frames after it', async () => {
    const d = await detector({ path: modelPath('yolov8'), executionProviders: ['cpu'], warmupRuns: 1 });
    const good = await greyPng(64, 64);
    const frames = [d.submit(good), d.submit(new Uint8Array([1, 2, 3])), d.submit(good)];
    await expect(frames[1]!.result).rejects.toMatchObject({ code: 'perception.input_invalid' });
    await expect(frames[1]!.nextFrameDue).resolves.toBeUndefined();
    expect((await frames[2]!.result).detections).toHaveLength(2);
    expect((await frames[0]!.result).detections).toHaveLength(2);
  });

  it('a reload between submissions: earlier frames finish on the old model, later ones run on the new', async () => {
    const file = join(dir, 'm.onnx');
    copyFileSync(modelPath('yolov8'), file);
    const d = await detector({ path: file, executionProviders: ['cpu'], warmupRuns: 1 });
    const img = await greyPng(32, 32);
    const before = [d.submit(img), d.submit(img)];
    copyFileSync(modelPath('yolov8-reloaded'), file);
    const reload = d.reload();
    // Submitted while the new model loads: still the old one (the swap waits for the load).
    const during = d.submit(img);
    expect((await reload).ok).toBe(true);
    const after = d.submit(img);
    const gens = await Promise.all([...before, during, after].map(async (f) => (await f.result).modelGeneration));
    expect(gens).toEqual([1, 1, 1, 2]);
    expect((await after.result).detections.map((x) => x.className)).toEqual(['car']);
  });
});
