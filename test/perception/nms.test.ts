import { describe, expect, it } from 'vitest';
import { Candidates, NmsScratch, iou, nms } from '../../perception/index.js';

function run(c: Candidates, options: Partial<Parameters<typeof nms>[4]> = {}): number[] {
  const scratch = new NmsScratch();
  const n = nms(
    c.boxes,
    c.scores,
    c.classes,
    c.count,
    { iouThreshold: 0.5, classAgnostic: false, maxDetections: 100, ...options },
    scratch,
  );
  return [...scratch.keep.subarray(0, n)];
}

describe('nms', () => {
  it('keeps the best of overlapping boxes of one class, best first', () => {
    const c = new Candidates(2);
    c.push(0, 0, 10, 10, 0.8, 0);
    c.push(1, 0, 11, 10, 0.9, 0); // IoU 0.82 with the first
    c.push(20, 20, 30, 30, 0.7, 0);
    expect(run(c)).toEqual([1, 2]);
  });

  it('is class-aware unless told otherwise', () => {
    const c = new Candidates();
    c.push(0, 0, 10, 10, 0.9, 0);
    c.push(0, 0, 10, 10, 0.8, 1);
    expect(run(c)).toEqual([0, 1]);
    expect(run(c, { classAgnostic: true })).toEqual([0]);
  });

  it('uses per-class IoU thresholds and stops at maxDetections', () => {
    const c = new Candidates();
    c.push(0, 0, 10, 10, 0.9, 1);
    c.push(2, 0, 12, 10, 0.8, 1); // IoU 0.667
    c.push(50, 50, 60, 60, 0.7, 0);
    expect(run(c, { classIouThreshold: new Float32Array([0.5, 0.7]) })).toEqual([0, 1, 2]);
    expect(run(c, { classIouThreshold: new Float32Array([0.5, 0.6]) })).toEqual([0, 2]);
    expect(run(c, { maxDetections: 1 })).toEqual([0]);
  });

  it('grows its buffers and handles thousands of boxes', () => {
    const c = new Candidates(4);
    for (let i = 0; i < 5000; i++) c.push(i * 20, 0, i * 20 + 10, 10, (i % 97) / 97, i % 3);
    expect(c.capacity).toBeGreaterThanOrEqual(5000);
    expect(run(c, { maxDetections: 10_000 })).toHaveLength(5000);
  });

  it('computes IoU', () => {
    expect(iou(0, 0, 10, 10, 5, 0, 15, 10)).toBeCloseTo(1 / 3, 9);
    expect(iou(0, 0, 1, 1, 2, 2, 3, 3)).toBe(0);
  });
});
