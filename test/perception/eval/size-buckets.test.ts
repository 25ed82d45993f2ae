import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateBySize, longerSide, runEval, type EvalImage } from '../../../perception/index.js';
import { runCli } from '../../../cli/program.js';
import type { CliIo } from '../../../cli/io.js';
import { fixtureModel, tempDir, yoloSplit } from '../../fieldloop/helpers.js';

const person = (x: number, y: number, w: number, h: number) => ({ classId: 0, box: [x, y, x + w, y + h] }) as const;
const det = (score: number, x: number, y: number, w: number, h: number) =>
  ({ classId: 0, score, box: [x, y, x + w, y + h] }) as const;

describe('evaluateBySize', () => {
  it('tells a missed object from a mis-boxed one, and says by how much the box is off', () => {
    // A 2 x 2 person boxed 3 x 3 on the same centre (IoU 4/9): found, not a hit; a 10 x 10 one boxed exactly.
    const images: EvalImage[] = [
      {
        truth: [person(10, 10, 2, 2), person(40, 40, 10, 10)],
        detections: [det(0.9, 9.5, 9.5, 3, 3), det(0.8, 40, 40, 10, 10)],
      },
      { truth: [person(10, 10, 2, 2)], detections: [] },
    ];
    const [p] = evaluateBySize(images, ['person'], [4]);
    const [small, large] = p?.buckets ?? [];
    expect(small).toMatchObject({ minPx: 0, maxPx: 4, objects: 2, ap50: 0, recall: 0, found: 0.5 });
    expect(small?.sizeErrorPx).toEqual({ width: 1, height: 1 });
    // The 3 x 3 box matches nothing and is 3 px: a false alarm in the small bucket, none in the large.
    expect(large).toMatchObject({ minPx: 4, maxPx: null, objects: 1, ap50: 1, recall: 1, found: 1 });
    expect(large?.sizeErrorPx).toEqual({ width: 0, height: 0 });
  });

  it("ignores what matches an object outside the bucket (COCO's area-range rule), not counting it a false alarm", () => {
    // The large person's exact box outscores the small person's: in the small bucket it matches an ignored object.
    const images: EvalImage[] = [
      {
        truth: [person(10, 10, 2, 2), person(40, 40, 10, 10)],
        detections: [det(0.9, 40, 40, 10, 10), det(0.5, 10, 10, 2, 2)],
      },
    ];
    expect(evaluateBySize(images, ['person'], [3])[0]?.buckets[0]?.ap50).toBe(1);
  });

  it('counts an unmatched detection against the bucket its own size falls in, and only there', () => {
    // A false 2 x 2 box above a true small hit: precision 0.5 at every recall in the small bucket (AP 0.5);
    // a false 10 x 10 box above it leaves the small bucket at AP 1.
    const small: EvalImage[] = [
      { truth: [person(10, 10, 2, 2)], detections: [det(0.9, 60, 60, 2, 2), det(0.5, 10, 10, 2, 2)] },
    ];
    const large: EvalImage[] = [
      { truth: [person(10, 10, 2, 2)], detections: [det(0.9, 60, 60, 10, 10), det(0.5, 10, 10, 2, 2)] },
    ];
    expect(evaluateBySize(small, ['person'], [3])[0]?.buckets[0]?.ap50).toBeCloseTo(0.5, 10);
    expect(evaluateBySize(large, ['person'], [3])[0]?.buckets[0]?.ap50).toBe(1);
  });

  it('puts a box whose longer side equals an edge in the bucket above it; empty buckets have no metrics', () => {
    const images: EvalImage[] = [{ truth: [person(0, 0, 3, 2)], detections: [det(0.9, 0, 0, 3, 2)] }];
    const [under3, from3, from8] = evaluateBySize(images, ['person'], [3, 8])[0]?.buckets ?? [];
    expect(longerSide([0, 0, 3, 2])).toBe(3);
    // A YOLO label's 3 px (0.0046875 of 640) parses back a hair under 3: still the 3-8 bucket.
    expect(longerSide([0, 0, 0.0046875 * 640 - 1e-9, 2])).toBe(3);
    expect(under3).toMatchObject({ objects: 0, ap50: null, recall: null, found: null, sizeErrorPx: null });
    expect(from3).toMatchObject({ minPx: 3, maxPx: 8, objects: 1, recall: 1 });
    expect(from8?.objects).toBe(0);
  });

  it('counts recall and found at the operating score only', () => {
    const images: EvalImage[] = [{ truth: [person(10, 10, 4, 4)], detections: [det(0.2, 10, 10, 4, 4)] }];
    const b = evaluateBySize(images, ['person'], [8], { operatingScore: () => 0.3 })[0]?.buckets[0];
    // AP sees the whole curve; the operating point (0.3) does not see the 0.2 detection.
    expect(b).toMatchObject({ ap50: 1, recall: 0, found: 0, sizeErrorPx: null });
  });

  it('BAD CALL - edges that are not positive and increasing', () => {
    expect(() => evaluateBySize([], ['person'], [4, 4])).toThrow(/strictly increasing, got \[4, 4\]/);
    expect(() => evaluateBySize([], ['person'], [0])).toThrow(RangeError);
  });
});

// The yolov8 fixture reports person 0.9 at [4, 4, 12, 12] and car 0.7 at [19, 17, 29, 23] on any 32 x 32 image.
describe('kestrel eval --by-size', () => {
  async function setUp(): Promise<{ manifestPath: string; data: string }> {
    const dir = await tempDir('kestrel-eval-size-');
    const { manifestPath } = await fixtureModel(dir);
    const data = join(dir, 'data');
    await yoloSplit(data, 'val', [
      [
        [0, 4, 4, 12, 12],
        [1, 19, 17, 29, 23],
      ],
    ]);
    return { manifestPath, data };
  }

  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIo = { out: (s) => (out += s), err: (s) => (err += s), interactive: false };
    return { code: await runCli(argv, io), out, err };
  }

  it('reports each class by size, in the table and in --json', async () => {
    const { manifestPath, data } = await setUp();
    const r = await runEval({ model: manifestPath, data, sizeEdgesPx: [9] });
    // The person is 8 px, the car 10 x 6: one in each bucket, both boxed exactly.
    expect(r.bySize?.map((c) => c.buckets.map((b) => b.objects))).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(r.bySize?.[0]?.buckets[0]).toMatchObject({ ap50: 1, recall: 1, sizeErrorPx: { width: 0, height: 0 } });
    expect(r.text).toMatch(/^person\s+<9\s+1\s+1\.000\s+1\.000\s+1\.000\s+\+0\.00 \/ \+0\.00$/m);
    expect(r.text).toMatch(/^car\s+>=9\s+1\s/m);
    const json = await cli('eval', '--model', manifestPath, '--data', data, '--by-size', '9', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ bySize: [{ className: 'person' }, { className: 'car' }] });
  });

  it('EXPECTED FAILURE - --by-size that is not increasing pixel sizes is a usage error naming the flag', async () => {
    const { manifestPath, data } = await setUp();
    const r = await cli('eval', '--model', manifestPath, '--data', data, '--by-size', '8,4');
    expect(r.code).toBe(2);
    expect(r.err).toContain("'--by-size <edges>'");
    expect(r.err).toContain('got "8,4"');
  });
});
