import { describe, expect, it } from 'vitest';
import { BilinearResampler, Preprocessor } from '../../perception/index.js';
import { noiseBytes } from './fixtures.js';

/**
 * Expected bytes come from Pillow 9.4 (`Image.fromarray(a).resize((w, h), Image.BILINEAR)`)
 * on the same generated image: the resampler must reproduce the trainer's
 * letterbox exactly, not approximately.
 */
const W = 10;
const H = 7;

function pattern(channels: 1 | 3 | 4): Uint8Array {
  const a = new Uint8Array(W * H * channels);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const px = [(x * 37 + y * 11) % 256, (x * x * 5 + y * 23) % 256, ((x ^ y) * 29) % 256, (x * y * 13) % 256];
      for (let c = 0; c < channels; c++) a[(y * W + x) * channels + c] = px[channels === 1 ? 0 : c] ?? 0;
    }
  return a;
}

const PILLOW_RGB: Record<string, number[]> = {
  '5x4': [
    32, 17, 25, 99, 47, 72, 173, 117, 132, 119, 149, 172, 57, 121, 126, 49, 53, 56, 116, 83, 50, 190, 153, 154, 136,
    135, 134, 74, 138, 74, 69, 95, 118, 136, 125, 128, 187, 172, 76, 87, 108, 86, 94, 158, 90, 86, 131, 160, 153, 161,
    145, 195, 149, 59, 77, 100, 55, 111, 111, 124,
  ],
  '3x2': [72, 54, 56, 161, 128, 127, 89, 131, 118, 104, 120, 129, 163, 146, 86, 93, 124, 91],
  '7x5': [
    17, 10, 13, 64, 23, 48, 117, 57, 87, 171, 111, 131, 182, 172, 174, 30, 129, 178, 68, 128, 107, 30, 38, 46, 77, 51,
    43, 130, 85, 68, 184, 139, 163, 195, 173, 157, 43, 63, 102, 81, 156, 97, 46, 71, 84, 93, 84, 62, 146, 118, 70, 200,
    172, 157, 182, 177, 129, 57, 94, 94, 97, 189, 58, 62, 104, 130, 109, 117, 164, 162, 151, 149, 216, 205, 15, 70, 82,
    59, 66, 119, 87, 113, 148, 107, 75, 132, 168, 122, 145, 157, 175, 179, 129, 229, 148, 54, 83, 72, 37, 79, 147, 80,
    126, 82, 147,
  ],
};

/** An RGB test card of three different ramps (the inputs the Pillow vectors below were made from). */
function ramps(w: number, h: number): Uint8Array {
  const a = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      a.set([(x * 37 + y * 11) % 256, (x * x * 5 + y * 23) % 256, ((x ^ y) * 29) % 256], (y * w + x) * 3);
  return a;
}

// Both paths: the WebAssembly SIMD kernels (the default here) and the JavaScript loops alone.
describe.each([{ simd: true }, { simd: false }])('BilinearResampler (Pillow BILINEAR, exact; simd $simd)', (opts) => {
  it('reproduces Pillow byte for byte at integer and fractional scales, reusing one resampler', () => {
    const r = new BilinearResampler(opts);
    const src = { data: pattern(3), width: W, height: H, step: W * 3, channels: 3 };
    for (const [size, expected] of Object.entries(PILLOW_RGB)) {
      const [w, h] = size.split('x').map(Number) as [number, number];
      expect(Array.from(r.resize(src, w, h)), size).toEqual(expected);
    }
  });

  it('takes the exact-2x integer path away from the edges and still matches Pillow (12x8 -> 6x4)', () => {
    const w = 12;
    const h = 8;
    const a = ramps(w, h);
    const out = new BilinearResampler(opts).resize({ data: a, width: w, height: h, step: w * 3, channels: 3 }, 6, 4);
    expect(Array.from(out)).toEqual([
      34, 21, 29, 101, 51, 69, 175, 121, 135, 121, 145, 167, 67, 121, 114, 133, 120, 66, 54, 63, 68, 121, 93, 62, 191,
      159, 142, 129, 133, 124, 87, 135, 80, 153, 114, 111, 76, 109, 135, 143, 139, 142, 189, 169, 62, 79, 103, 74, 109,
      133, 106, 175, 141, 145, 95, 150, 174, 162, 180, 135, 163, 135, 69, 72, 108, 45, 128, 126, 135, 194, 164, 121,
    ]);
  });

  it('takes the four-bytes-at-a-time vertical path when a row is a multiple of 4 bytes (16x12 -> 8x6)', () => {
    const w = 16;
    const h = 12;
    const a = ramps(w, h);
    const out = new BilinearResampler(opts).resize({ data: a, width: w, height: h, step: w * 3, channels: 3 }, 8, 6);
    // Pillow 9.4: Image.fromarray(a).resize((8, 6), Image.BILINEAR)
    expect(Array.from(out)).toEqual([
      34, 21, 29, 101, 51, 69, 175, 121, 135, 121, 145, 167, 67, 121, 114, 141, 133, 72, 183, 157, 111, 61, 146, 150,
      54, 63, 68, 121, 93, 62, 191, 159, 142, 129, 133, 124, 87, 135, 80, 161, 117, 118, 155, 127, 142, 63, 106, 111,
      76, 109, 135, 143, 139, 142, 189, 169, 62, 79, 103, 74, 109, 133, 106, 183, 131, 142, 129, 121, 118, 67, 139, 72,
      98, 155, 166, 165, 181, 124, 159, 127, 74, 73, 113, 57, 131, 131, 123, 189, 149, 106, 103, 151, 80, 89, 125, 114,
      120, 201, 114, 183, 191, 80, 121, 85, 106, 79, 139, 123, 153, 129, 57, 183, 123, 74, 73, 101, 124, 111, 89, 166,
      139, 179, 66, 179, 102, 111, 70, 90, 146, 98, 164, 114, 172, 122, 66, 132, 152, 48, 69, 126, 156, 130, 126, 145,
    ]);
    // Lanes at their limits: a white frame and a black frame stay white and black (no carry between bytes).
    for (const v of [255, 0]) {
      const flat = new Uint8Array(64 * 48 * 3).fill(v);
      const r = new BilinearResampler(opts).resize(
        { data: flat, width: 64, height: 48, step: 192, channels: 3 },
        32,
        24,
      );
      expect(r.every((b) => b === v)).toBe(true);
    }
  });

  it('reads one channel (mono8) as Pillow mode L does', () => {
    const out = new BilinearResampler(opts).resize(
      { data: pattern(1), width: W, height: H, step: W, channels: 1 },
      4,
      3,
    );
    expect(Array.from(out)).toEqual([46, 129, 161, 61, 70, 153, 158, 81, 94, 177, 117, 97]);
  });

  it('treats a fourth channel independently and honours a padded row step', () => {
    const rgba = pattern(4);
    const step = W * 4 + 6; // ROS Image rows may be padded
    const padded = new Uint8Array(step * H).fill(255);
    for (let y = 0; y < H; y++) padded.set(rgba.subarray(y * W * 4, (y + 1) * W * 4), y * step);
    const out = new BilinearResampler(opts).resize({ data: padded, width: W, height: H, step, channels: 4 }, 5, 4);
    const rgb = PILLOW_RGB['5x4'] ?? [];
    for (let i = 0; i < 20; i++) {
      expect([out[i * 4], out[i * 4 + 1], out[i * 4 + 2]]).toEqual(rgb.slice(i * 3, i * 3 + 3));
    }
    const alpha = new Uint8Array(W * H);
    for (let i = 0; i < W * H; i++) alpha[i] = rgba[i * 4 + 3] ?? 0;
    const a = new BilinearResampler(opts).resize({ data: alpha, width: W, height: H, step: W, channels: 1 }, 5, 4);
    expect(Array.from({ length: 20 }, (_, i) => out[i * 4 + 3])).toEqual(Array.from(a));
  });

  it('keeps a flat image flat and an unscaled axis unchanged', () => {
    const flat = new Uint8Array(64 * 48 * 3).fill(200);
    const r = new BilinearResampler(opts);
    expect(
      r.resize({ data: flat, width: 64, height: 48, step: 192, channels: 3 }, 21, 17).every((v) => v === 200),
    ).toBe(true);
    const src = pattern(3);
    const sameWidth = r.resize({ data: src, width: W, height: H, step: W * 3, channels: 3 }, W, H);
    expect(Array.from(sameWidth)).toEqual(Array.from(src));
  });
});

describe('BilinearResampler WebAssembly SIMD kernels', () => {
  it('are available on this engine (Node 20 has fixed-width SIMD)', () => {
    expect(new BilinearResampler().simd).toBe(true);
    expect(new BilinearResampler({ simd: false }).simd).toBe(false);
  });

  it('give the JavaScript loops byte for byte, for any width, height, channel count and row step', () => {
    const simd = new BilinearResampler();
    const js = new BilinearResampler({ simd: false });
    // [width, height, channels, outWidth, outHeight, row padding]: camera sizes, interiors that are not
    // a multiple of the kernels' 4 pixels / 16 bytes, odd sizes, fractional scales, padded ROS rows,
    // and a larger frame after smaller ones (the kernels' memory grows).
    const cases: [number, number, 1 | 3 | 4, number, number, number][] = [
      [640, 480, 3, 320, 240, 0],
      [640, 480, 3, 320, 240, 8],
      [38, 22, 3, 19, 11, 0],
      [34, 30, 3, 17, 15, 5],
      [42, 26, 1, 21, 13, 0],
      [50, 18, 4, 25, 9, 3],
      [33, 21, 3, 16, 10, 0],
      [64, 48, 3, 21, 17, 0],
      [64, 48, 3, 32, 17, 0],
      [1280, 720, 3, 640, 360, 0],
    ];
    for (const [i, [w, h, ch, ow, oh, pad]] of cases.entries()) {
      const step = w * ch + pad;
      const src = { data: noiseBytes(step * h, i + 1), width: w, height: h, step, channels: ch };
      // Copied: both results are views their resampler overwrites on the next frame.
      const expected = js.resize(src, ow, oh).slice();
      const got = simd.resize(src, ow, oh).slice();
      expect(got.length).toBe(expected.length);
      const at = got.findIndex((b, k) => b !== expected[k]);
      expect(at, `${w}x${h}x${ch}+${pad} -> ${ow}x${oh}: first different byte`).toBe(-1);
    }
  });

  it('keep every lane in range at the limits: white stays white, black stays black', () => {
    const r = new BilinearResampler();
    for (const v of [255, 0])
      for (const ch of [1, 3, 4]) {
        const flat = new Uint8Array(66 * 50 * ch).fill(v);
        const out = r.resize({ data: flat, width: 66, height: 50, step: 66 * ch, channels: ch }, 33, 25);
        expect(
          out.every((b) => b === v),
          `${v} x${ch}`,
        ).toBe(true);
      }
  });
});

describe('Preprocessor on raw frames', () => {
  it('puts the Pillow-resampled pixels into the letterboxed tensor (as the trainer does)', async () => {
    const p = new Preprocessor({
      width: 5,
      height: 5,
      layout: 'NCHW',
      colour: 'rgb',
      resize: 'letterbox',
      padValue: 114,
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });
    // 10x7 → scale 0.5 → 5x4 (rounded 3.5 → 4), padY 0.
    const t = await p.run({ data: pattern(3), width: W, height: H, encoding: 'rgb8' });
    expect(t).toMatchObject({ padX: 0, padY: 0, scaleX: 0.5 });
    const rgb = PILLOW_RGB['5x4'] ?? [];
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 4; y++)
        for (let x = 0; x < 5; x++) expect(p.tensor[c * 25 + y * 5 + x]).toBe(rgb[(y * 5 + x) * 3 + c]);
    expect(p.tensor[4 * 5]).toBe(114); // the padded last row
  });
});
