/**
 * A detector whose inference thread dies loads its model again: the frame in
 * flight fails with perception.inference_failed, the frames after it are served.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  createDetector,
  onnxBackend,
  registerBackend,
  type Detector,
  type ModelRunner,
  type ReloadResult,
} from '../../perception/index.js';
import { greyPng, modelPath } from './fixtures.js';

/** The real onnx backend, remembering each runner it builds (registered for this file's module graph only). */
const built: ModelRunner[] = [];
registerBackend({
  name: 'onnx',
  async load(bytes, manifest, ctx) {
    const runner = await onnxBackend.load(bytes, manifest, ctx);
    built.push(runner);
    return runner;
  },
});

const open: Detector[] = [];
afterAll(async () => {
  await Promise.all(open.map((d) => d.close()));
});

describe('detector: a lost inference thread', () => {
  it('EXPECTED FAILURE - the frame in flight fails, the model is loaded again, the next frame is served', async () => {
    const reloads: ReloadResult[] = [];
    const d = await createDetector(
      { path: modelPath('yolov8'), executionProviders: ['cpu'], warmupRuns: 1 },
      { onReload: (r) => reloads.push(r) },
    );
    open.push(d);
    const img = await greyPng(64, 64);
    expect((await d.run(img)).detections).toHaveLength(2);

    const runner = built.at(-1) as ModelRunner & { terminate(): Promise<void> };
    expect(runner.lost).toBeUndefined();
    await runner.terminate();
    expect(runner.lost).toMatch(/terminated/);

    await expect(d.run(img)).rejects.toMatchObject({ code: 'perception.inference_failed' });
    await expect.poll(() => reloads.length).toBe(1);
    expect(reloads[0]).toMatchObject({ ok: true, generation: 2 });
    expect(built).toHaveLength(2);
    const frame = await d.run(img);
    expect(frame.detections).toHaveLength(2);
    expect(frame.modelGeneration).toBe(2);
  });

  it('a disposed runner is not lost: closing a detector starts no reload', async () => {
    const reloads: ReloadResult[] = [];
    const d = await createDetector(
      { path: modelPath('yolov8'), executionProviders: ['cpu'], warmupRuns: 1 },
      { onReload: (r) => reloads.push(r) },
    );
    const runner = built.at(-1)!;
    await d.close();
    expect(runner.lost).toBeUndefined();
    await expect(d.run(await greyPng(32, 32))).rejects.toMatchObject({ code: 'perception.closed' });
    expect(reloads).toHaveLength(0);
  });
});
