import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEval } from '../../../perception/index.js';
import { fixtureModel, tempDir, yoloSplit } from '../../fieldloop/helpers.js';

// The yolov8 fixture reports person 0.9 at [4, 4, 12, 12] and car 0.7 at [19, 17, 29, 23] on any 32 x 32 image.
const LABELS = [
  [
    [0, 4, 4, 12, 12],
    [1, 19, 17, 29, 23],
  ],
  [[1, 19, 17, 29, 23]],
] as const;

async function setUp(manifestTail: string): Promise<{ manifestPath: string; data: string }> {
  const dir = await tempDir('kestrel-eval-');
  const { manifestPath } = await fixtureModel(dir);
  await appendFile(manifestPath, manifestTail);
  const data = join(dir, 'data');
  await yoloSplit(data, 'val', LABELS);
  return { manifestPath, data };
}

describe('runEval', () => {
  it('scores every class over its whole curve, whatever the manifest keeps at its operating point', async () => {
    // The car's own threshold (0.8) is over its score and the frame cap (1) keeps only the person: the operating
    // point sees no car, but AP must, or a manifest tuned for a mission would understate the model.
    const { manifestPath, data } = await setUp('maxDetections: 1\nclasses: { car: { scoreThreshold: 0.8 } }\n');
    const r = await runEval({ model: manifestPath, data, json: true });
    const [person, car] = r.metrics.classes;
    expect(person).toMatchObject({ className: 'person', objects: 1, ap50: 1, recall: 1 });
    expect(car).toMatchObject({ className: 'car', objects: 2, detections: 2, ap50: 1 });
    // Precision and recall stay the manifest's operating point: at 0.8 the car is not reported.
    expect(car?.recall).toBe(0);
    expect(JSON.parse(r.text)).toMatchObject({ data: { images: 2 } });
  });

  it('keeps a class the manifest disables out of the scores', async () => {
    const { manifestPath, data } = await setUp('classes: { car: { enabled: false } }\n');
    const r = await runEval({ model: manifestPath, data });
    expect(r.metrics.classes[1]).toMatchObject({ className: 'car', objects: 2, detections: 0, ap50: 0 });
    expect(r.metrics.classes[0]).toMatchObject({ className: 'person', ap50: 1 });
  });
});
