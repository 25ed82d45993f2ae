import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ModelIntegrityError,
  ModelLoadError,
  createDetector,
  runDetect,
  sha256Bytes,
} from '../../../perception/index.js';
import type { Detector } from '../../../perception/index.js';
import { BOX_ATOL_PX, capturingLogger, expected, greyPng, modelsDir } from '../fixtures.js';

const layersDir = resolve(modelsDir, 'tfjs', 'layers');
const graphDir = resolve(modelsDir, 'tfjs', 'graph');
const tmp = mkdtempSync(join(tmpdir(), 'kestrel-tfjs-'));
const open: Detector[] = [];
afterAll(async () => {
  await Promise.all(open.map((d) => d.close()));
  rmSync(tmp, { recursive: true, force: true });
});

/** model.json then its shard, hashed as one stream (what a manifest pins for TF.js). */
function bundleSha(dir: string): string {
  return sha256Bytes([readFileSync(join(dir, 'model.json')), readFileSync(join(dir, 'weights.bin'))]);
}

// Manifests keep the default providers [cuda, cpu]: the first TF.js load in the process asks for
// tfjs-node-gpu, which is not installed here, and falls back to wasm.
const layers = { path: join(layersDir, 'model.json'), backend: 'tfjs' as const, input: { layout: 'NHWC' as const } };
const graph = { path: join(graphDir, 'model.json'), backend: 'tfjs' as const, input: { layout: 'NHWC' as const } };

async function detector(...args: Parameters<typeof createDetector>): Promise<Detector> {
  const d = await createDetector(...args);
  open.push(d);
  return d;
}

describe('tfjs backend', () => {
  it('runs a layers model on wasm, says so and why, and finds the fixture boxes with class names from its metadata', async () => {
    const { logger, lines } = capturingLogger();
    const d = await detector({ ...layers, sha256: bundleSha(layersDir), warmupRuns: 1 }, { logger });
    expect(d.activeProvider).toBe('wasm');
    expect(d.fallbacks).toEqual([{ provider: 'tfjs-node-gpu', reason: '@tensorflow/tfjs-node-gpu is not installed' }]);
    const line = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('TF.js runs on'));
    expect(line?.msg).toBe('TF.js runs on wasm (@tensorflow/tfjs-node-gpu is not installed)');
    expect(line).toMatchObject({ provider: 'wasm', backend: 'tfjs' });
    expect(d.classNames).toEqual(['person', 'car']);
    expect([d.inputWidth, d.inputHeight]).toEqual([32, 32]);

    const frame = await d.run(await greyPng(32, 32));
    expect(frame.provider).toBe('wasm');
    const want = expected.models.yolov8!;
    expect(frame.detections).toHaveLength(want.length);
    frame.detections.forEach((det, i) => {
      expect(det.classId).toBe(want[i]!.classId);
      expect(det.score).toBeCloseTo(want[i]!.score, 5);
      const box = [det.box.x1, det.box.y1, det.box.x2, det.box.y2];
      box.forEach((v, k) => expect(Math.abs(v - want[i]!.box[k]!)).toBeLessThan(BOX_ATOL_PX));
    });
  });

  it('runs a graph model whose output is anchor-major [1, N, 4+nc], mapping boxes through the letterbox', async () => {
    const d = await detector({ ...graph, warmupRuns: 1 });
    // 128x64 → 32x16 inside the 32x32 input, 8 px above: x = mx / 0.25, y = (my - 8) / 0.25.
    const frame = await d.run(await greyPng(128, 64));
    expect(frame.detections.map((x) => x.className)).toEqual(['person', 'car']);
    expect(frame.detections[1]).toMatchObject({ className: 'car', box: { x1: 76, y1: 36, x2: 116, y2: 60 } });
    expect(frame.detections[0]?.score).toBeCloseTo(0.9, 5);
  });

  it('EXPECTED FAILURE - a wrong sha256 is refused before TF.js sees the model', async () => {
    const promise = createDetector({ ...layers, sha256: 'a'.repeat(64) });
    await expect(promise).rejects.toBeInstanceOf(ModelIntegrityError);
    await expect(promise).rejects.toMatchObject({ code: 'model.sha256_mismatch', actualSha256: bundleSha(layersDir) });
  });

  it('EXPECTED FAILURE - the sha256 covers the weight shard: a changed weights.bin is refused', async () => {
    const dir = join(tmp, 'tampered');
    cpSync(layersDir, dir, { recursive: true });
    const weights = readFileSync(join(dir, 'weights.bin'));
    weights[weights.length - 1] = (weights[weights.length - 1] ?? 0) ^ 0xff;
    writeFileSync(join(dir, 'weights.bin'), weights);
    const promise = createDetector({ ...layers, path: join(dir, 'model.json'), sha256: bundleSha(layersDir) });
    await expect(promise).rejects.toMatchObject({ code: 'model.sha256_mismatch' });
    await expect(promise).rejects.toThrow(/with its 1 weight file/);
  });

  it('EXPECTED FAILURE - a weight file outside the model folder is refused, not read', async () => {
    const dir = join(tmp, 'escape');
    cpSync(graphDir, dir, { recursive: true });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    json.weightsManifest[0]!.paths = ['../../etc/passwd'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const promise = createDetector({ ...graph, path: join(dir, 'model.json') });
    await expect(promise).rejects.toBeInstanceOf(ModelLoadError);
    await expect(promise).rejects.toMatchObject({ code: 'model.load_failed' });
    await expect(promise).rejects.toThrow(/is not a file beside model.json/);
  });

  it('kestrel detect takes a bare model.json as --model (tfjs, NHWC inferred) and reports wasm', async () => {
    const img = join(tmp, 'grey.png');
    writeFileSync(img, await greyPng(64, 64));
    const r = await runDetect({ model: join(graphDir, 'model.json'), image: img });
    expect(r.model.provider).toBe('wasm');
    expect(r.model.sha256).toBe(bundleSha(graphDir));
    expect(r.images[0]?.detections).toMatchObject([
      { className: 'person', score: 0.9, boxXyxy: [8, 8, 24, 24] },
      { className: 'car', score: 0.7, boxXyxy: [38, 34, 58, 46] },
    ]);
  });
});
