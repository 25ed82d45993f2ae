import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  CaptureStore,
  DataError,
  frameStem,
  runDataExport,
  runDataImport,
  type CaptureInput,
  type ProvenanceLine,
} from '../../../fieldloop/index.js';
import { readYoloSplit, runEval } from '../../../perception/index.js';
import type { Detection } from '../../../runtime/index.js';
import { fixtureModel, tempDir } from '../helpers.js';

const T0 = Date.UTC(2026, 0, 1);
// What the yolov8 fixture model reports on any 32x32 image (test/fixtures/models/expected.json).
const V8: Detection[] = [
  { classId: 0, className: 'person', score: 0.9, box: { x1: 4, y1: 4, x2: 12, y2: 12 } },
  { classId: 1, className: 'car', score: 0.7, box: { x1: 19, y1: 17, x2: 29, y2: 23 } },
];

async function png(level: number): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 32, channels: 3, background: { r: level, g: level, b: level } } })
    .png()
    .toBuffer();
}

async function storeWithCaptures(dir: string, sha256: string): Promise<string> {
  const path = join(dir, 'captures.sqlite');
  const store = new CaptureStore({ path, maxBytes: 64 * 1024 * 1024 });
  store.recordModel({ sha256, modelId: 'det', classNames: ['person', 'car'] });
  const make = async (i: number, trigger: CaptureInput['trigger'], marked = false): Promise<CaptureInput> => ({
    createdMs: T0 + i * 1000,
    trigger,
    priority: marked ? 3 : 1,
    operatorMarked: marked,
    camera: 'cam',
    anchorStampMs: T0 + i * 1000,
    mission: 'field-test',
    modelId: 'det',
    modelSha256: sha256,
    detail: { i },
    frames: [
      {
        stampMs: T0 + i * 1000 - 100,
        isTrigger: false,
        width: 32,
        height: 32,
        format: 'png',
        image: await png(10 * i),
        // Perception skipped this one: no pre-labels.
        detections: undefined,
        pose: { stampMs: T0, frameId: 'map', x: 1, y: 2, z: 40, yawRad: 0, source: 'ekf' },
      },
      {
        stampMs: T0 + i * 1000,
        isTrigger: true,
        width: 32,
        height: 32,
        format: 'png',
        image: await png(10 * i + 5),
        detections: V8,
        pose: { stampMs: T0 + i * 1000, frameId: 'map', x: 3, y: 4, z: 40, yawRad: 0.25, source: 'ekf' },
      },
    ],
  });
  store.put(await make(1, 'uncertainty'));
  store.put(await make(2, 'operator_feedback', true));
  store.put(await make(3, 'guard_denial'));
  store.close();
  return path;
}

describe('kestrel data export / import', () => {
  it('exports a YOLO dataset with pre-labels and provenance that kestrel eval reads', async () => {
    const dir = await tempDir();
    const model = await fixtureModel(join(dir, 'model'));
    const db = await storeWithCaptures(dir, model.sha256);
    const out = join(dir, 'export');
    const r = await runDataExport({ store: db, out, split: 'val' });
    expect(r).toMatchObject({ captures: 3, images: 6, labelSources: { model: 3, corrected: 0, none: 3 } });
    expect(r.classNames).toEqual(['person', 'car']);
    expect((await readdir(join(out, 'images', 'val'))).sort()).toEqual([
      'c000001-f01.png',
      'c000002-f01.png',
      'c000003-f01.png',
    ]);
    // Frames perception never saw have no labels: outside the split (a missing label file there would mean "background").
    expect((await readdir(join(out, 'images', 'unlabelled'))).sort()).toEqual([
      'c000001-f00.png',
      'c000002-f00.png',
      'c000003-f00.png',
    ]);
    // Pre-labels: the model's boxes as YOLO fractions.
    expect(await readFile(join(out, 'labels', 'val', 'c000001-f01.txt'), 'utf8')).toBe(
      '0 0.250000 0.250000 0.250000 0.250000\n1 0.750000 0.625000 0.312500 0.187500\n',
    );
    expect((await readdir(join(out, 'labels', 'val'))).sort()).toEqual([
      'c000001-f01.txt',
      'c000002-f01.txt',
      'c000003-f01.txt',
    ]);
    const provenance = (await readFile(join(out, 'provenance.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ProvenanceLine);
    expect(provenance).toHaveLength(6);
    expect(provenance[0]).toMatchObject({
      image: 'images/unlabelled/c000001-f00.png',
      labels: null,
      labelSource: 'none',
    });
    expect(provenance[3]).toMatchObject({
      image: 'images/val/c000002-f01.png',
      labelSource: 'model',
      captureId: 2,
      frameSeq: 1,
      triggerFrame: true,
      mission: 'field-test',
      modelSha256: model.sha256,
      trigger: 'operator_feedback',
      operatorMarked: true,
      stampMs: T0 + 2000,
      time: '2026-01-01T00:00:02.000Z',
      pose: { x: 3, y: 4, z: 40, yawRad: 0.25 },
    });
    // The dataset is one kestrel eval reads; the model scored on its own pre-labels is perfect.
    const split = await readYoloSplit(out, 'val');
    expect(split.classNames).toEqual(['person', 'car']);
    const scored = await runEval({ model: model.manifestPath, data: out, split: 'val' });
    expect(scored.metrics.map50).toBeCloseTo(1, 9);

    await expect(runDataExport({ store: db, out })).rejects.toMatchObject({ code: 'data.out_not_empty' });
  }, 30_000);

  it('imports corrected labels beside the pre-labels; the next export prefers them', async () => {
    const dir = await tempDir();
    const model = await fixtureModel(join(dir, 'model'));
    const db = await storeWithCaptures(dir, model.sha256);
    const corrected = join(dir, 'corrected', 'labels', 'train');
    await mkdir(corrected, { recursive: true });
    // Capture 2 was an operator's false positive: the car is not there.
    await writeFile(join(corrected, `${frameStem(2, 1)}.txt`), '0 0.25 0.25 0.25 0.25\n\n');
    // Frame 0 of capture 3 had no pre-labels; a labeller found a car.
    await writeFile(join(corrected, `${frameStem(3, 0)}.txt`), '1 0.5 0.5 0.2 0.2\n');
    await writeFile(join(corrected, `${frameStem(99, 0)}.txt`), '');
    await writeFile(join(corrected, 'classes.txt'), 'person\ncar\n');
    const imported = await runDataImport({ store: db, labels: join(dir, 'corrected') });
    expect(imported.imported).toBe(2);
    expect(imported.missing).toEqual([join(corrected, 'c000099-f00.txt')]);
    expect(imported.ignored).toEqual([join(corrected, 'classes.txt')]);

    const out = join(dir, 'export2');
    const r = await runDataExport({ store: db, out });
    expect(r.labelSources).toEqual({ model: 2, corrected: 2, none: 2 });
    expect(await readFile(join(out, 'labels', 'train', 'c000002-f01.txt'), 'utf8')).toBe('0 0.25 0.25 0.25 0.25\n');
    expect(await readFile(join(out, 'labels', 'train', 'c000003-f00.txt'), 'utf8')).toBe('1 0.5 0.5 0.2 0.2\n');
    // The pre-labels are kept: --labels model still exports the model's view.
    const modelOnly = await runDataExport({ store: db, out: join(dir, 'export3'), labels: 'model' });
    expect(modelOnly.labelSources).toEqual({ model: 3, corrected: 0, none: 3 });
    const correctedOnly = await runDataExport({ store: db, out: join(dir, 'export4'), labels: 'corrected' });
    expect(correctedOnly).toMatchObject({ images: 2, captures: 2 });
  }, 30_000);

  it('EXPECTED FAILURE - a malformed label file names file and line, and nothing is imported', async () => {
    const dir = await tempDir();
    const model = await fixtureModel(join(dir, 'model'));
    const db = await storeWithCaptures(dir, model.sha256);
    const labels = join(dir, 'bad');
    await mkdir(labels, { recursive: true });
    await writeFile(join(labels, `${frameStem(1, 1)}.txt`), '0 0.5 0.5 0.1 0.1\n');
    await writeFile(join(labels, `${frameStem(2, 1)}.txt`), '0 0.5 0.5 0.1 0.1\n5 0.5 0.5 0.1 0.1\n');
    const err = await runDataImport({ store: db, labels }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err).toMatchObject({ code: 'data.labels_invalid' });
    expect((err as Error).message).toMatch(/c000002-f01\.txt:2: class 5 is not a class index \(0\.\.1\)/);
    const r = await runDataExport({ store: db, out: join(dir, 'out') });
    expect(r.labelSources.corrected).toBe(0);
  });

  it('BAD CALL - exporting a store that does not exist', async () => {
    const dir = await tempDir();
    await expect(runDataExport({ store: join(dir, 'none.sqlite'), out: join(dir, 'o') })).rejects.toMatchObject({
      code: 'capture.store_invalid',
    });
  });
});
