import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageSize, stripJpegMetadata } from '../../perception/index.js';
import { referenceDir } from './fixtures.js';

/** A deterministic picture with detail in it, so a decoder difference would show. */
function picture(width: number, height: number): Sharp {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 7 + y * 3) & 255;
      data[i + 1] = (x * y) & 255;
      data[i + 2] = ((x ^ y) * 5) & 255;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
}

/** The marker bytes of every segment before the first scan. */
function markers(jpeg: Uint8Array): number[] {
  const out: number[] = [];
  let i = 2;
  while (i + 3 < jpeg.length && jpeg[i] === 0xff && jpeg[i + 1] !== 0xda) {
    out.push(jpeg[i + 1]!);
    i += 2 + ((jpeg[i + 2]! << 8) | jpeg[i + 3]!);
  }
  return out;
}

/** `jpeg` with a segment inserted after SOI. */
function withSegment(jpeg: Buffer, marker: number, body: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255]);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}

/** A JFIF 1.01 APP0 body: no thumbnail, 72 dpi. */
const JFIF = Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00]);

const raw = async (jpeg: Uint8Array): Promise<Buffer> => sharp(jpeg, { ignoreIcc: true }).raw().toBuffer();

describe('stripJpegMetadata', () => {
  it('drops EXIF, XMP, ICC and comments, keeps JFIF, and the pixels decode to the same bytes', async () => {
    // mozjpeg leaves JFIF out once there is EXIF; put one back, and a comment, by hand.
    const encoded = await picture(97, 61)
      .withExif({ IFD0: { Copyright: 'Kestrel test', Software: 'sharp' } })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>')
      .withIccProfile('p3')
      .jpeg({ quality: 90 })
      .toBuffer();
    const jpeg = withSegment(withSegment(encoded, 0xfe, Buffer.from('a comment', 'latin1')), 0xe0, JFIF);
    const before = markers(jpeg);
    expect(before).toEqual(expect.arrayContaining([0xe0, 0xe1, 0xe2, 0xfe]));

    const stripped = stripJpegMetadata(jpeg);
    const after = markers(stripped);
    expect(after).toContain(0xe0);
    expect(after.filter((m) => (m >= 0xe1 && m <= 0xef) || m === 0xfe)).toEqual([]);
    expect(after).toEqual(before.filter((m) => m === 0xe0 || m < 0xe0));
    expect(stripped.length).toBeLessThan(jpeg.length);
    expect(readImageSize(stripped)).toEqual({ width: 97, height: 61 });
    expect((await raw(stripped)).equals(await raw(jpeg))).toBe(true);
  });

  it('keeps the Adobe segment that says how a CMYK JPEG is coded', async () => {
    const cmyk = await picture(40, 30)
      .withExif({ IFD0: { Software: 'sharp' } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect(markers(cmyk)).toEqual(expect.arrayContaining([0xee, 0xe1]));
    const stripped = stripJpegMetadata(cmyk);
    expect(markers(stripped)).toContain(0xee);
    expect(markers(stripped)).not.toContain(0xe1);
    expect((await raw(stripped)).equals(await raw(cmyk))).toBe(true);
  });

  it('returns its input itself when there is nothing to drop or nothing it can parse', async () => {
    const plain = await picture(16, 16).jpeg().toBuffer();
    expect(stripJpegMetadata(plain)).toBe(plain);
    const png = await picture(16, 16).png().toBuffer();
    expect(stripJpegMetadata(png)).toBe(png);
    // BAD INPUT: a segment length that runs past the end, and a header cut short.
    const overrun = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x00]);
    expect(stripJpegMetadata(overrun)).toBe(overrun);
    const cut = new Uint8Array([0xff, 0xd8, 0xff]);
    expect(stripJpegMetadata(cut)).toBe(cut);
  });

  it.skipIf(referenceDir === undefined)(
    'drops the EXIF, XMP, IPTC and ICC blocks of bus.jpg, same pixels',
    async () => {
      const bus = readFileSync(join(referenceDir!, 'images', 'bus.jpg'));
      const stripped = stripJpegMetadata(bus);
      expect(markers(bus)).toEqual(expect.arrayContaining([0xe1, 0xed, 0xe2]));
      expect(markers(stripped).filter((m) => m >= 0xe1 && m <= 0xef)).toEqual([]);
      expect((await raw(stripped)).equals(await raw(bus))).toBe(true);
    },
  );
});
