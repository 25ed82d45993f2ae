/**
 * Conformance on real data nobody here wrote: the Ultralytics YOLOv8n (int8)
 * export and the classic bus.jpg / zidane.jpg from ../shared/reference.
 * Skipped on a fresh clone; the unit tests never depend on it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tracker, createDetector, runDetect } from '../../perception/index.js';
import type { Detection, Detector } from '../../perception/index.js';
import { referenceDir } from './fixtures.js';

const ref = referenceDir ?? '';
const model = join(ref, 'models', 'yolov8n_int8.onnx');

describe.skipIf(referenceDir === undefined)('conformance: real YOLOv8n on ../shared/reference', () => {
  let detector: Detector;
  beforeAll(async () => {
    detector = await createDetector(model, { overrides: { executionProviders: ['cpu'], warmupRuns: 1 } });
  }, 60_000);
  afterAll(async () => {
    await detector.close();
  });

  it('reads the 80 COCO class names from metadata_props', () => {
    expect(detector.classNames).toHaveLength(80);
    expect(detector.classNames[0]).toBe('person');
    expect(detector.classNames[5]).toBe('bus');
    expect([detector.inputWidth, detector.inputHeight]).toEqual([640, 640]);
  });

  it('bus.jpg: the bus spans the image width in the middle, and at least 3 people', async () => {
    const frame = await detector.run(readFileSync(join(ref, 'images', 'bus.jpg')));
    expect([frame.width, frame.height]).toEqual([810, 1080]);
    const buses = frame.detections.filter((d) => d.className === 'bus');
    const people = frame.detections.filter((d) => d.className === 'person' && d.score >= 0.5);
    expect(buses).toHaveLength(1);
    const bus = buses[0]!;
    expect(bus.score).toBeGreaterThan(0.6);
    // The bus runs from the left edge almost to the right edge, in the upper middle of the frame.
    expect(bus.box.x1).toBeLessThan(80);
    expect(bus.box.x2).toBeGreaterThan(740);
    expect(bus.box.y1).toBeGreaterThan(150);
    expect(bus.box.y1).toBeLessThan(320);
    expect(bus.box.y2).toBeGreaterThan(680);
    expect(bus.box.y2).toBeLessThan(860);
    expect(people.length).toBeGreaterThanOrEqual(3);
    // The people stand in front of the bus, feet near the bottom of the photo.
    for (const p of people) {
      expect(p.box.y2).toBeGreaterThan(800);
      expect(p.box.y2 - p.box.y1).toBeGreaterThan(350);
    }
  });

  it('zidane.jpg (1280x720): two people and the tie', async () => {
    const found = await detector.detect(readFileSync(join(ref, 'images', 'zidane.jpg')));
    const people = found.filter((d: Detection) => d.className === 'person' && d.score > 0.5);
    expect(people).toHaveLength(2);
    // The man on the right stands between x≈750 and x≈1140.
    expect(people.some((p) => Math.abs(p.box.x1 - 750) < 40 && Math.abs(p.box.x2 - 1140) < 40)).toBe(true);
    expect(found.some((d) => d.className === 'tie')).toBe(true);
  });

  it('tracks the same people across repeated frames with stable ids', async () => {
    const tracker = new Tracker();
    const bytes = readFileSync(join(ref, 'images', 'bus.jpg'));
    const detections = await detector.detect(bytes);
    const ids: number[][] = [];
    for (let f = 0; f < 3; f++)
      ids.push(
        tracker
          .update(detections, f * 100)
          .map((d) => d.trackId)
          .sort(),
      );
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
  });

  it('kestrel detect finds the bus and the people', async () => {
    const r = await runDetect({ model, image: join(ref, 'images', 'bus.jpg') });
    const names = r.images[0]!.detections.map((d) => d.className);
    expect(names).toContain('bus');
    expect(names.filter((n) => n === 'person').length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
