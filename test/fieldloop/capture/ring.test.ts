import { describe, expect, it } from 'vitest';
import { FrameRing } from '../../../fieldloop/capture/ring.js';
import type { CameraFrame } from '../../../runtime/index.js';

const frame = (bytes: number): CameraFrame => ({
  frameId: 'cam',
  width: bytes / 3,
  height: 1,
  encoding: 'rgb8',
  stepBytes: bytes,
  data: new Uint8Array(bytes),
});

describe('FrameRing', () => {
  it('keeps the last windowMs of each camera and finds frames by stamp', () => {
    const ring = new FrameRing({ windowMs: 1000, maxBytes: 1e9 });
    for (let t = 0; t <= 3000; t += 100) ring.push('a', t, frame(30), undefined, undefined);
    expect(ring.window('a', 0, Infinity).map((f) => f.stampMs)).toEqual([
      2000, 2100, 2200, 2300, 2400, 2500, 2600, 2700, 2800, 2900, 3000,
    ]);
    expect(ring.bytes).toBe(11 * 30);
    expect(ring.attach('a', 2500, [], 'det')?.model).toBe('det');
    expect(ring.attach('a', 1500, [], 'det')).toBeUndefined();
    expect(ring.cameraOf(2500)).toBe('a');
    expect(ring.latest('a')?.stampMs).toBe(3000);
  });

  it('drops the oldest frame of any camera when over its byte bound, never the frame just pushed', () => {
    const ring = new FrameRing({ windowMs: 10_000, maxBytes: 300 });
    ring.push('a', 0, frame(150), undefined, undefined);
    ring.push('b', 10, frame(150), undefined, undefined);
    ring.push('a', 20, frame(150), undefined, undefined);
    expect(ring.window('a', 0, Infinity).map((f) => f.stampMs)).toEqual([20]);
    expect(ring.window('b', 0, Infinity).map((f) => f.stampMs)).toEqual([10]);
    expect(ring.droppedForBytes).toBe(1);
    ring.push('c', 30, frame(900), undefined, undefined);
    expect(ring.size).toBe(1);
    expect(ring.latest('c')?.stampMs).toBe(30);
  });
});
