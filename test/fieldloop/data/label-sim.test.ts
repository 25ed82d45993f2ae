import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CaptureStore, runDataExport, runDataLabelSim, truthToYolo } from '../../../fieldloop/index.js';
import { SimClock, type Detection } from '../../../runtime/index.js';
import { tempDir } from '../tmp.js';

const T0 = Date.UTC(2026, 0, 1);
const NAMES = ['fire', 'smoke', 'person', 'vehicle'];
// A 15 fps camera: stamps fall on thirds of a millisecond; the store keeps whole ms.
const STAMPS = [T0 + 66.6667, T0 + 133.3333, T0 + 200];
const PRE: Detection[] = [{ classId: 1, className: 'smoke', score: 0.41, box: { x1: 0, y1: 0, x2: 16, y2: 16 } }];

async function store(dir: string): Promise<string> {
  const path = join(dir, 'captures.sqlite');
  const s = new CaptureStore({ path, maxBytes: 16 * 1024 * 1024 });
  s.recordModel({ sha256: 'a'.repeat(64), modelId: 'det', classNames: NAMES });
  const image = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 5, g: 5, b: 9 } } })
    .jpeg()
    .toBuffer();
  s.put({
    createdMs: T0 + 200,
    trigger: 'uncertainty',
    priority: 1,
    operatorMarked: false,
    camera: 'cam_down',
    anchorStampMs: T0 + 200,
    mission: 'night',
    modelId: 'det',
    modelSha256: 'a'.repeat(64),
    detail: {},
    frames: STAMPS.map((stampMs, i) => ({
      stampMs,
      isTrigger: i === 2,
      width: 32,
      height: 32,
      format: 'jpeg' as const,
      image,
      detections: i === 0 ? undefined : PRE,
      pose: undefined,
    })),
  });
  s.close();
  return path;
}

const line = (stampMs: number, boxes: unknown[], camera = 'cam_down'): string =>
  `${JSON.stringify({ camera, stampMs, width: 32, height: 32, boxes })}\n`;

describe('kestrel data label-sim', () => {
  it('labels captured frames from the sim ground truth by camera and stamp; pre-labels stay', async () => {
    const dir = await tempDir();
    const db = await store(dir);
    const log = join(dir, 'labels.jsonl');
    await writeFile(
      log,
      line(T0, []) +
        line(STAMPS[0]!, [{ cls: 'fire', x: 8, y: 8, w: 8, h: 16 }]) +
        line(STAMPS[1]!, [
          { cls: 'vehicle', x: 0, y: 16, w: 16, h: 8 },
          { cls: 'boat', x: 0, y: 0, w: 4, h: 4 },
        ]) +
        // Another camera at the same instant must not label cam_down's frame.
        line(STAMPS[2]!, [{ cls: 'person', x: 1, y: 1, w: 2, h: 2 }], 'cam_front'),
    );
    const r = await runDataLabelSim({ store: db, truth: log, clock: new SimClock({ startEpochMs: T0 + 5000 }) });
    expect(r).toMatchObject({ labelled: 2, unmatched: 1, skippedBoxes: 1 });

    const out = join(dir, 'gt');
    const exported = await runDataExport({ store: db, out });
    // Frame 0 had no pre-labels (perception skipped it): ground truth labels it anyway.
    expect(exported.labelSources).toEqual({ model: 1, corrected: 2, none: 0 });
    expect(await readFile(join(out, 'labels', 'train', 'c000001-f00.txt'), 'utf8')).toBe(
      '0 0.375000 0.500000 0.250000 0.500000\n',
    );
    expect(await readFile(join(out, 'labels', 'train', 'c000001-f01.txt'), 'utf8')).toBe(
      '3 0.250000 0.625000 0.500000 0.250000\n',
    );
    // The model's predictions are still there as pre-labels.
    const pre = join(dir, 'pre');
    await runDataExport({ store: db, out: pre, labels: 'model' });
    expect(await readFile(join(pre, 'labels', 'train', 'c000001-f01.txt'), 'utf8')).toBe(
      '1 0.250000 0.250000 0.500000 0.500000\n',
    );
  }, 30_000);

  it('refuses a log line that is not a sim label record, naming file and line', async () => {
    const dir = await tempDir();
    const db = await store(dir);
    const log = join(dir, 'labels.jsonl');
    await writeFile(log, line(STAMPS[0]!, []) + '{"camera":"cam_down","stampMs":"soon"}\n');
    await expect(runDataLabelSim({ store: db, truth: log })).rejects.toMatchObject({
      code: 'data.truth_invalid',
      message: expect.stringContaining('labels.jsonl:2'),
    });
    await expect(runDataLabelSim({ store: db, truth: join(dir, 'missing.jsonl') })).rejects.toMatchObject({
      code: 'data.truth_invalid',
    });
  });

  it('writes boxes in the model class order, clipped to the frame', () => {
    const t = truthToYolo(
      {
        width: 100,
        height: 50,
        boxes: [
          { cls: 'smoke', x: 50, y: 0, w: 50, h: 50 },
          { cls: 'dog', x: 0, y: 0, w: 1, h: 1 },
        ],
      },
      ['person', 'smoke'],
    );
    expect(t).toEqual({ text: '1 0.750000 0.500000 0.500000 1.000000\n', skipped: 1 });
  });
});
