import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../fieldloop/capture/encode.js';
import type { CameraFrame } from '../../../runtime/index.js';

/** A grey 32 x 16 frame with one 2 x 2 yellow dot: what a person looks like from 60 m. */
function dotFrame(encoding: 'rgb8' | 'bgr8', padding = 0): CameraFrame {
  const width = 32;
  const height = 16;
  const step = width * 3 + padding;
  const data = new Uint8Array(step * height).fill(115);
  for (const [u, v] of [
    [10, 6],
    [11, 6],
    [10, 7],
    [11, 7],
  ] as const) {
    const o = v * step + u * 3;
    const rgb = [136, 130, 36];
    data.set(encoding === 'rgb8' ? rgb : rgb.reverse(), o);
  }
  return { encoding, width, height, stepBytes: padding > 0 ? step : 0, data, frameId: 'cam' };
}

describe('encodeFrame', () => {
  it.each([
    ['rgb8', 0],
    ['bgr8', 0],
    ['rgb8', 6],
  ] as const)('keeps the colour of a 2-px dot in a JPEG of a %s frame (row padding %d)', async (encoding, padding) => {
    const e = await encodeFrame(dotFrame(encoding, padding), 'jpeg', 90);
    expect(e.format).toBe('jpeg');
    expect((await sharp(e.image).metadata()).chromaSubsampling).toBe('4:4:4');
    const { data } = await sharp(e.image).raw().toBuffer({ resolveWithObject: true });
    const at = (6 * 32 + 10) * 3;
    // Blue well under red and green: the dot is still yellow, not averaged into the grey around it.
    expect(data[at + 2]).toBeLessThan(75);
    expect(data[at]).toBeGreaterThan(110);
  });
});
