import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  evaluateDetections,
  iouXyxy,
  matchGreedy,
  type EvalImage,
  type Xyxy,
} from '../../../perception/index.js';

const G1: Xyxy = [0, 0, 10, 10];
const G2: Xyxy = [20, 20, 30, 30];
const FAR: Xyxy = [100, 100, 110, 110];

function image(truth: Xyxy[], dets: [Xyxy, number][], classId = 0): EvalImage {
  return {
    truth: truth.map((box) => ({ classId: 0, box })),
    detections: dets.map(([box, score]) => ({ classId, box, score })),
  };
}

describe('iouXyxy', () => {
  it('is intersection over union, 0 for disjoint boxes', () => {
    expect(iouXyxy(G1, G1)).toBe(1);
    expect(iouXyxy(G1, [0, 0, 10, 5])).toBeCloseTo(0.5, 12);
    expect(iouXyxy(G1, [5, 0, 15, 10])).toBeCloseTo(50 / 150, 12);
    expect(iouXyxy(G1, FAR)).toBe(0);
  });
});

describe('matchGreedy', () => {
  it('gives each detection the unmatched object it overlaps most; a duplicate is a false positive', () => {
    // The first detection overlaps G1 (IoU 0.81) more than G2; the second is a duplicate of G1.
    expect(matchGreedy([[0.5, 0.5, 10, 10], G1, G2], [G1, G2], 0.5)).toEqual([true, false, true]);
  });

  it('needs IoU >= the threshold', () => {
    const det: Xyxy = [0, 0, 10, 6.8]; // IoU 0.68 with G1
    expect(matchGreedy([det], [G1], 0.65)).toEqual([true]);
    expect(matchGreedy([det], [G1], 0.7)).toEqual([false]);
  });
});

describe('averagePrecision (101-point COCO interpolation)', () => {
  it('TP, FP, TP over two objects: (51·1 + 50·2/3) / 101', () => {
    // recall 0.5, 0.5, 1; precision 1, 0.5, 0.667 -> monotone 1, 0.667, 0.667.
    // Recall points 0..0.50 (51 of them) read 1, points 0.51..1 (50) read 2/3.
    expect(averagePrecision([0.9, 0.8, 0.7], [true, false, true], 2)).toBeCloseTo((51 + (50 * 2) / 3) / 101, 12);
  });

  it('sorts by score before accumulating', () => {
    expect(averagePrecision([0.7, 0.9, 0.8], [true, true, false], 2)).toBeCloseTo((51 + (50 * 2) / 3) / 101, 12);
  });

  it('FP then TP on one object: precision 0.5 at every recall point', () => {
    expect(averagePrecision([0.9, 0.8], [false, true], 1)).toBeCloseTo(0.5, 12);
  });

  it('is 1 for a perfect ranking, 0 with objects but no hits, null without objects', () => {
    expect(averagePrecision([0.9, 0.2], [true, true], 2)).toBe(1);
    expect(averagePrecision([0.9], [false], 3)).toBe(0);
    expect(averagePrecision([], [], 3)).toBe(0);
    expect(averagePrecision([0.9], [false], 0)).toBeNull();
  });

  it('counts recall that is never reached as precision 0', () => {
    // One of four objects found: only recall points 0..0.25 (26 of 101) read precision 1.
    expect(averagePrecision([0.9], [true], 4)).toBeCloseTo(26 / 101, 12);
  });
});

describe('evaluateDetections', () => {
  it('pools detections over images before ranking', () => {
    // Image A: its object found at score 0.6. Image B: a confident miss at 0.9.
    // Ranked: FP (0.9), TP (0.6) -> recall 0, 0.5; precision 0, 0.5 -> 0.5 up to recall 0.5.
    const m = evaluateDetections([image([G1], [[G1, 0.6]]), image([G2], [[FAR, 0.9]])], ['fire']);
    expect(m.classes[0]!.ap50).toBeCloseTo((51 * 0.5) / 101, 12);
    expect(m.map50).toBeCloseTo((51 * 0.5) / 101, 12);
  });

  it('averages AP over IoU 0.50:0.95: a box with IoU 0.68 hits at 4 of 10 thresholds', () => {
    const m = evaluateDetections([image([G1], [[[0, 0, 10, 6.8], 0.9]])], ['fire']);
    const c = m.classes[0]!;
    expect(c.ap50).toBe(1);
    expect(c.ap75).toBe(0);
    expect(c.ap50to95).toBeCloseTo(0.4, 12);
  });

  it('reports precision and recall at the operating score, at IoU 0.5', () => {
    // Three detections: TP 0.9, FP 0.5 (duplicate), TP 0.2 (below the 0.3 operating score).
    const m = evaluateDetections(
      [
        image(
          [G1, G2],
          [
            [G1, 0.9],
            [G1, 0.5],
            [G2, 0.2],
          ],
        ),
      ],
      ['fire'],
      { operatingScore: () => 0.3 },
    );
    const c = m.classes[0]!;
    expect(c.precision).toBeCloseTo(0.5, 12);
    expect(c.recall).toBeCloseTo(0.5, 12);
    expect(c.detections).toBe(3);
    // Ranked TP, FP, TP: the same curve as the first averagePrecision case.
    expect(c.ap50).toBeCloseTo((51 + (50 * 2) / 3) / 101, 12);
  });

  it('never matches across classes, and leaves classes without objects out of the means', () => {
    const m = evaluateDetections([image([G1], [[G1, 0.9]], 1)], ['fire', 'smoke']);
    expect(m.classes[0]!.ap50).toBe(0);
    expect(m.classes[1]!.ap50).toBeNull();
    expect(m.classes[1]!.precision).toBe(0);
    expect(m.map50).toBe(0);
  });

  it('keeps at most maxDetectionsPerClass per image, best first', () => {
    const dets: [Xyxy, number][] = [
      [FAR, 0.95],
      [G1, 0.9],
    ];
    expect(evaluateDetections([image([G1], dets)], ['fire'], { maxDetectionsPerClass: 1 }).classes[0]!.ap50).toBe(0);
    expect(evaluateDetections([image([G1], dets)], ['fire']).classes[0]!.ap50).toBeCloseTo(0.5, 12);
  });
});
