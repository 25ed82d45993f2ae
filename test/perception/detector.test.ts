import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  ModelIntegrityError,
  ModelLoadError,
  ModelManifestError,
  createDetector,
  sha256File,
} from '../../perception/index.js';
import type { Detector, ReloadResult } from '../../perception/index.js';
import { BOX_ATOL_PX, expected, greyPng, modelPath } from './fixtures.js';

const open: Detector[] = [];
afterAll(async () => {
  await Promise.all(open.map((d) => d.close()));
});
async function detector(...args: Parameters<typeof createDetector>): Promise<Detector> {
  const d = await createDetector(...args);
  open.push(d);
  return d;
}

const v8 = { path: modelPath('yolov8'), executionProviders: ['cpu' as const], warmupRuns: 1 };

describe('detector', () => {
  it('maps boxes back through the letterbox of a wide image', async () => {
    const d = await detector(v8);
    // 128x64 → 32x16 inside a 32x32 input, 8 px padding above: x = mx / 0.25, y = (my - 8) / 0.25.
    const frame = await d.run(await greyPng(128, 64));
    expect(frame).toMatchObject({ width: 128, height: 64, provider: 'cpu', modelGeneration: 1 });
    const [person, car] = frame.detections;
    expect(person?.className).toBe('person');
    expect(person!.box.x1).toBeCloseTo(16, 3);
    expect(person!.box.y1).toBeCloseTo(0, 3); // (4 - 8) / 0.25 < 0: clipped to the image
    expect(person!.box.x2).toBeCloseTo(48, 3);
    expect(person!.box.y2).toBeCloseTo(16, 3);
    expect(car).toMatchObject({ className: 'car', box: { x1: 76, y1: 36, x2: 116, y2: 60 } });
    for (const t of Object.values(frame.timings)) expect(t).toBeGreaterThanOrEqual(0);
    expect(frame.timings.totalMs).toBeGreaterThanOrEqual(frame.timings.inferenceMs);
  });

  it('takes raw rgb8 frames as well as encoded images', async () => {
    const d = await detector(v8);
    const frame = await d.run({ data: new Uint8Array(64 * 64 * 3), width: 64, height: 64, encoding: 'rgb8' });
    expect(frame.detections.map((x) => x.className)).toEqual(['person', 'car']);
  });

  it('applies per-class overrides: a higher threshold, a disabled class', async () => {
    const stricter = await detector({ ...v8, classes: { car: { scoreThreshold: 0.75 } } });
    expect((await stricter.detect(await greyPng(32, 32))).map((x) => x.className)).toEqual(['person']);
    const noPeople = await detector({ ...v8, classes: { person: { enabled: false } } });
    expect((await noPeople.detect(await greyPng(32, 32))).map((x) => x.className)).toEqual(['car']);
    const lower = await detector({ ...v8, scoreThreshold: 0.05 });
    expect(await lower.detect(await greyPng(32, 32))).toHaveLength(3);
  });

  it('BAD CALL - an override naming a class the model lacks is refused with its path', async () => {
    const promise = createDetector({ ...v8, classes: { persn: { scoreThreshold: 0.5 } } });
    await expect(promise).rejects.toBeInstanceOf(ModelManifestError);
    await expect(promise).rejects.toMatchObject({ issues: [{ path: ['classes', 'persn'] }] });
  });

  it('BAD CALL - a manifest input name the model lacks is model.io_mismatch', async () => {
    const promise = createDetector({ ...v8, input: { name: 'image' } });
    await expect(promise).rejects.toBeInstanceOf(ModelLoadError);
    await expect(promise).rejects.toMatchObject({ code: 'model.io_mismatch' });
  });

  it('BAD CALL - an ONNX file declared backend tfjs: model.load_failed naming path, not a crash', async () => {
    const promise = createDetector({ ...v8, backend: 'tfjs' });
    await expect(promise).rejects.toBeInstanceOf(ModelLoadError);
    await expect(promise).rejects.toMatchObject({ code: 'model.load_failed', issues: [{ path: ['path'] }] });
    await expect(promise).rejects.toThrow(/is not a TF.js model.json/);
  });

  it('finds a model.yaml beside a bare model path and uses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrel-sidecar-'));
    try {
      copyFileSync(modelPath('yolov8'), join(dir, 'net.onnx'));
      writeFileSync(join(dir, 'model.yaml'), stringify({ path: 'net.onnx', classNames: ['walker', 'vehicle'] }));
      const d = await detector(join(dir, 'net.onnx'), { overrides: { executionProviders: ['cpu'] } });
      expect(d.classNames).toEqual(['walker', 'vehicle']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('BAD CALL - detect after close is perception.closed', async () => {
    const d = await createDetector(v8);
    await d.close();
    await expect(d.detect(await greyPng(8, 8))).rejects.toMatchObject({ code: 'perception.closed' });
  });

  it('serves frames one at a time when called concurrently', async () => {
    const d = await detector(v8);
    const images = await Promise.all([greyPng(64, 64), greyPng(128, 64), greyPng(64, 128)]);
    const frames = await Promise.all(images.map((img) => d.run(img)));
    expect(frames.map((f) => [f.width, f.height])).toEqual([
      [64, 64],
      [128, 64],
      [64, 128],
    ]);
    expect(frames[0]!.detections[0]!.box.x1).toBeCloseTo(8, 3);
  });
});

describe('detector hot reload', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-reload-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const classesOf = async (d: Detector): Promise<string[]> =>
    (await d.detect(await greyPng(32, 32))).map((x) => x.className);

  it('picks up a replaced model file on reload()', async () => {
    const file = join(dir, 'model.onnx');
    copyFileSync(modelPath('yolov8'), file);
    const d = await detector({ path: file, executionProviders: ['cpu'], warmupRuns: 1 });
    expect(await classesOf(d)).toEqual(['person', 'car']);
    copyFileSync(modelPath('yolov8-reloaded'), file);
    const result = await d.reload();
    expect(result).toMatchObject({ ok: true, generation: 2, sha256: await sha256File(file) });
    const found = await d.run(await greyPng(32, 32));
    expect(found.modelGeneration).toBe(2);
    const want = expected.models['yolov8-reloaded']![0]!;
    expect(found.detections).toHaveLength(1);
    expect(Math.abs(found.detections[0]!.box.x1 - want.box[0])).toBeLessThan(BOX_ATOL_PX);
    expect(found.detections[0]?.className).toBe('car');
  });

  it('watches the folder: an atomic replace of a pinned model + manifest reloads by itself', async () => {
    const model = join(dir, 'detector.onnx');
    const manifest = join(dir, 'model.yaml');
    copyFileSync(modelPath('yolov8'), model);
    writeFileSync(manifest, stringify({ path: 'detector.onnx', sha256: await sha256File(model), warmupRuns: 1 }));
    const reloads: ReloadResult[] = [];
    const d = await detector(manifest, {
      watch: true,
      watchDebounceMs: 50,
      overrides: { executionProviders: ['cpu'] },
      onReload: (r) => reloads.push(r),
    });
    expect(await classesOf(d)).toEqual(['person', 'car']);
    // Deploy the way a field update does: write beside, rename over, then re-pin the manifest.
    copyFileSync(modelPath('yolov8-reloaded'), join(dir, 'detector.onnx.tmp'));
    renameSync(join(dir, 'detector.onnx.tmp'), model);
    writeFileSync(manifest, stringify({ path: 'detector.onnx', sha256: await sha256File(model), warmupRuns: 1 }));
    await expect.poll(() => reloads.some((r) => r.ok), { timeout: 5000, interval: 50 }).toBe(true);
    expect(await classesOf(d)).toEqual(['car']);
  });

  it('EXPECTED FAILURE - a replacement that fails its pinned sha256 is refused and the old model keeps serving', async () => {
    const file = join(dir, 'model.onnx');
    copyFileSync(modelPath('yolov8'), file);
    const d = await detector({
      path: file,
      sha256: await sha256File(file),
      executionProviders: ['cpu'],
      warmupRuns: 1,
    });
    writeFileSync(file, readFileSync(modelPath('yolov8-reloaded')));
    const result = await d.reload();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBeInstanceOf(ModelIntegrityError);
      expect(result.error).toMatchObject({ code: 'model.sha256_mismatch' });
    }
    expect(d.generation).toBe(1);
    expect(await classesOf(d)).toEqual(['person', 'car']);
  });
});
