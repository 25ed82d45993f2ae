import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageSize } from '../../perception/index.js';
import { referenceDir } from './fixtures.js';

const image = (width: number, height: number): Sharp =>
  sharp({ create: { width, height, channels: 3, background: { r: 10, g: 20, b: 30 } } });

describe('readImageSize', () => {
  it('reads JPEG (baseline, progressive, with EXIF) and PNG headers as sharp does', async () => {
    const files = [
      await image(123, 45).jpeg().toBuffer(),
      await image(640, 481).jpeg({ progressive: true }).toBuffer(),
      await image(77, 300).withMetadata({ orientation: 6 }).jpeg().toBuffer(),
      await image(31, 17).png().toBuffer(),
    ];
    for (const f of files) {
      const meta = await sharp(f).metadata();
      expect(readImageSize(f)).toEqual({ width: meta.width, height: meta.height });
    }
  });

  it.skipIf(referenceDir === undefined)('reads the reference photos', () => {
    expect(readImageSize(readFileSync(join(referenceDir!, 'images', 'bus.jpg')))).toEqual({ width: 810, height: 1080 });
    expect(readImageSize(readFileSync(join(referenceDir!, 'images', 'zidane.jpg')))).toEqual({
      width: 1280,
      height: 720,
    });
  });

  it('BAD INPUT - other formats and truncated headers give undefined (the caller asks sharp)', async () => {
    expect(readImageSize(await image(10, 10).webp().toBuffer())).toBeUndefined();
    expect(readImageSize(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00]))).toBeUndefined();
    expect(readImageSize(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});
