import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PerceptionInputError, runDetect } from '../../perception/index.js';
import { greyPng, modelPath } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'kestrel-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function image(name: string, width: number, height: number): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, await greyPng(width, height));
  return path;
}

describe('runDetect (kestrel detect)', () => {
  it('returns detections in image pixels, timings and the provider, and renders a table', async () => {
    const img = await image('a.png', 64, 64);
    const r = await runDetect({ model: modelPath('yolov8'), image: img });
    expect(r.model).toMatchObject({ provider: 'cpu', input: { width: 32, height: 32 } });
    expect(r.model.fallbacks.map((f) => f.provider)).toEqual(['cuda']);
    expect(r.images).toHaveLength(1);
    expect(r.images[0]).toMatchObject({
      path: img,
      width: 64,
      height: 64,
      detections: [
        { className: 'person', score: 0.9, boxXyxy: [8, 8, 24, 24] },
        { className: 'car', score: 0.7, boxXyxy: [38, 34, 58, 46] },
      ],
    });
    for (const v of Object.values(r.images[0]!.timings)) expect(v).toBeGreaterThanOrEqual(0);
    expect(r.text).toMatch(/a\.png 64x64: 2 detections .* on cpu\n {2}person +0\.90 +\[/);
  });

  it('renders JSON with --json, several images, and a score override', async () => {
    const a = await image('b.png', 64, 64);
    const b = await image('c.png', 128, 64);
    const r = await runDetect({ model: modelPath('yolov8'), image: [a, b], json: true, scoreThreshold: 0.8 });
    const parsed = JSON.parse(r.text) as { images: { detections: { className: string }[] }[] };
    expect(parsed.images.map((i) => i.detections.map((d) => d.className))).toEqual([['person'], ['person']]);
  });

  it('reads a YAML manifest as --model', async () => {
    const manifest = join(dir, 'm.yaml');
    writeFileSync(manifest, `path: ${modelPath('yolox')}\noutput: { kind: yolox }\nexecutionProviders: [cpu]\n`);
    const r = await runDetect({ model: manifest, image: await image('d.png', 32, 32) });
    expect(r.images[0]?.detections.map((d) => d.className)).toEqual(['person', 'car']);
    expect(r.model.fallbacks).toEqual([]);
  });

  it('EXPECTED FAILURE - a missing image is perception.input_invalid naming the path', async () => {
    const promise = runDetect({ model: modelPath('yolov8'), image: join(dir, 'missing.jpg') });
    await expect(promise).rejects.toBeInstanceOf(PerceptionInputError);
    await expect(promise).rejects.toMatchObject({ code: 'perception.input_invalid', issues: [{ path: ['image'] }] });
  });
});
