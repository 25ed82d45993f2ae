import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PerceptionInputError, Preprocessor, unletterboxInPlace } from '../../perception/index.js';
import type { PreprocessSpec } from '../../perception/index.js';
import { noiseBytes } from './fixtures.js';

const base: PreprocessSpec = {
  width: 8,
  height: 8,
  layout: 'NCHW',
  colour: 'rgb',
  resize: 'letterbox',
  padValue: 114,
  scale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
};

/** A raw rgb8 frame filled with one colour. */
function solid(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return data;
}

/** Value of the NCHW tensor at channel c, row y, column x. */
const at = (p: Preprocessor, c: number, y: number, x: number): number =>
  p.tensor[c * p.spec.width * p.spec.height + y * p.spec.width + x] ?? NaN;

describe('letterbox preprocessing', () => {
  it('letterboxes a wide image: centred, padded rows above and below, transform maps back', async () => {
    const p = new Preprocessor(base);
    const t = await p.run({ data: solid(16, 8, [255, 0, 0]), width: 16, height: 8, encoding: 'rgb8' });
    expect(t).toMatchObject({ srcWidth: 16, srcHeight: 8, scaleX: 0.5, scaleY: 0.5, padX: 0, padY: 2 });
    expect(at(p, 0, 0, 0)).toBeCloseTo(114 / 255, 6); // pad row
    expect(at(p, 0, 2, 0)).toBeCloseTo(1, 6); // red image
    expect(at(p, 1, 2, 0)).toBeCloseTo(0, 6);
    expect(at(p, 0, 6, 7)).toBeCloseTo(114 / 255, 6); // pad row below
    const box = [0, 2, 8, 6];
    unletterboxInPlace(box, 0, t);
    expect(box).toEqual([0, 0, 16, 8]);
  });

  it('reuses one Float32Array for every frame', async () => {
    const p = new Preprocessor(base);
    const tensor = p.tensor;
    await p.run({ data: solid(8, 8, [0, 0, 0]), width: 8, height: 8, encoding: 'rgb8' });
    await p.run({ data: solid(4, 16, [10, 20, 30]), width: 4, height: 16, encoding: 'rgb8' });
    expect(p.tensor).toBe(tensor);
    // The previous frame's pixels are gone from the new pad columns.
    expect(at(p, 0, 0, 0)).toBeCloseTo(114 / 255, 6);
  });

  it('swaps channels for bgr8 frames and bgr models, applies mean/std, writes NHWC', async () => {
    const spec: PreprocessSpec = { ...base, layout: 'NHWC', colour: 'bgr', scale: 1, mean: [1, 2, 3], std: [2, 2, 2] };
    const p = new Preprocessor(spec);
    expect(p.dims).toEqual([1, 8, 8, 3]);
    await p.run({ data: solid(8, 8, [10, 20, 30]), width: 8, height: 8, encoding: 'rgb8' });
    // Model channel 0 is blue: (30 - 1) / 2.
    expect([p.tensor[0], p.tensor[1], p.tensor[2]]).toEqual([14.5, 9, 3.5]);
    await p.run({ data: solid(8, 8, [30, 20, 10]), width: 8, height: 8, encoding: 'bgr8' });
    expect([p.tensor[0], p.tensor[1], p.tensor[2]]).toEqual([14.5, 9, 3.5]);
  });

  it('reads mono8 and padded rows (ROS step)', async () => {
    const p = new Preprocessor(base);
    const step = 10;
    const data = new Uint8Array(step * 8).fill(7);
    for (let y = 0; y < 8; y++) data.fill(51, y * step, y * step + 8);
    await p.run({ data, width: 8, height: 8, encoding: 'mono8', step });
    for (let c = 0; c < 3; c++) expect(at(p, c, 7, 7)).toBeCloseTo(0.2, 6);
  });

  it('decodes JPEG/PNG bytes and stretches when asked', async () => {
    const p = new Preprocessor({ ...base, resize: 'stretch' });
    const png = await sharp({
      create: { width: 32, height: 8, channels: 4, background: { r: 0, g: 255, b: 0, alpha: 1 } },
    })
      .png()
      .toBuffer();
    const t = await p.run(png);
    expect(t).toMatchObject({ srcWidth: 32, srcHeight: 8, scaleX: 0.25, scaleY: 1, padX: 0, padY: 0 });
    expect(at(p, 1, 0, 0)).toBeCloseTo(1, 6);
    expect(at(p, 1, 7, 7)).toBeCloseTo(1, 6);
  });

  it('BAD CALL - a raw frame smaller than width × height × channels is perception.input_invalid', async () => {
    const p = new Preprocessor(base);
    const promise = p.run({ data: new Uint8Array(10), width: 8, height: 8, encoding: 'rgb8' });
    await expect(promise).rejects.toBeInstanceOf(PerceptionInputError);
    await expect(promise).rejects.toMatchObject({ code: 'perception.input_invalid', issues: [{ path: ['data'] }] });
  });

  it('EXPECTED FAILURE - bytes that are no image are perception.input_invalid', async () => {
    const p = new Preprocessor(base);
    await expect(p.run(new TextEncoder().encode('not an image'))).rejects.toMatchObject({
      code: 'perception.input_invalid',
    });
  });
});

describe('the WebAssembly SIMD fill', () => {
  it('writes the same floats as the JavaScript tables, pads included, for every channel order and geometry', async () => {
    const specs: PreprocessSpec[] = [
      { ...base, width: 32, height: 32 },
      { ...base, width: 30, height: 22, colour: 'bgr', scale: 1, mean: [103.5, 116.3, 123.7], std: [57.4, 57.1, 58.4] },
      { ...base, width: 17, height: 13, resize: 'stretch', scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1] },
    ];
    // Wide and tall frames (padding above or beside), widths that are not a multiple of 4,
    // a padded ROS row step, both encodings, downscales by 2 and fractional ones, and one model-sized frame.
    const frames: [number, number, 'rgb8' | 'bgr8', number][] = [
      [64, 40, 'rgb8', 0],
      [40, 64, 'bgr8', 0],
      [61, 29, 'rgb8', 7],
      [32, 32, 'bgr8', 0],
      [30, 22, 'rgb8', 2],
    ];
    for (const spec of specs) {
      const simd = new Preprocessor(spec);
      const js = new Preprocessor(spec, { simd: false });
      expect(simd.simd).toBe(true);
      expect(js.simd).toBe(false);
      for (const [i, [width, height, encoding, pad]] of frames.entries()) {
        const step = width * 3 + pad;
        const frame = { data: noiseBytes(step * height, i + 7), width, height, encoding, step };
        const a = await simd.run(frame);
        const b = await js.run(frame);
        expect(a).toEqual(b);
        const at = simd.tensor.findIndex((v, k) => !Object.is(v, js.tensor[k]));
        expect(
          at,
          `${spec.width}x${spec.height} ${spec.colour} <- ${width}x${height} ${encoding}: first different float`,
        ).toBe(-1);
      }
    }
  });

  it('fills from decoded JPEG pixels (sharp) as well', async () => {
    const jpeg = await sharp(Buffer.from(noiseBytes(48 * 36 * 3, 3)), { raw: { width: 48, height: 36, channels: 3 } })
      .jpeg()
      .toBuffer();
    const simd = new Preprocessor({ ...base, width: 24, height: 24 });
    const js = new Preprocessor({ ...base, width: 24, height: 24 }, { simd: false });
    await simd.run(jpeg);
    await js.run(jpeg);
    expect(Array.from(simd.tensor)).toEqual(Array.from(js.tensor));
  });
});
