import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { annotatedPath, PerceptionInputError, runDetect } from '../../perception/index.js';
import { greyPng, modelPath } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'kestrel-annotate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rgbAt(png: string | Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i] ?? -1, data[i + 1] ?? -1, data[i + 2] ?? -1];
}

describe('kestrel detect --out', () => {
  it('writes the image at its own size with the boxes drawn where they are, and the rest untouched', async () => {
    const img = join(dir, 'in.png');
    const input = await greyPng(256, 256);
    writeFileSync(img, input);
    const out = join(dir, 'annotated.png');
    // The yolov8 fixture on a 256x256 image: person [32, 32, 96, 96], car [152, 136, 232, 184].
    const r = await runDetect({ model: modelPath('yolov8'), image: img, out });
    expect(r.images[0]?.annotated).toBe(out);
    expect(r.text).toContain(`drawn: ${out}`);
    expect(existsSync(out)).toBe(true);
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 256]);

    // On the person box's left edge (mid-height) and the car box's bottom edge: drawn over.
    expect(await rgbAt(out, 32, 64)).not.toEqual(await rgbAt(input, 32, 64));
    expect(await rgbAt(out, 192, 184)).not.toEqual(await rgbAt(input, 192, 184));
    // Inside the person box, and far from any box or label: the input's grey.
    expect(await rgbAt(out, 64, 64)).toEqual(await rgbAt(input, 64, 64));
    expect(await rgbAt(out, 10, 240)).toEqual(await rgbAt(input, 10, 240));
  });

  it('writes one file per image with -1, -2 before the extension, in argument order', async () => {
    const a = join(dir, 'a.png');
    const b = join(dir, 'b.png');
    writeFileSync(a, await greyPng(64, 64));
    writeFileSync(b, await greyPng(128, 64));
    const out = join(dir, 'many.jpg');
    const r = await runDetect({ model: modelPath('yolov8'), image: [a, b], out, json: true });
    expect(r.images.map((i) => i.annotated)).toEqual([join(dir, 'many-1.jpg'), join(dir, 'many-2.jpg')]);
    const sizes = await Promise.all(r.images.map(async (i) => sharp(i.annotated).metadata()));
    expect(sizes.map((m) => [m.format, m.width, m.height])).toEqual([
      ['jpeg', 64, 64],
      ['jpeg', 128, 64],
    ]);
    expect(existsSync(out)).toBe(false);
    expect(annotatedPath('x/y.z.png', 0, 1)).toBe('x/y.z.png');
  });

  it('EXPECTED FAILURE - an --out with an extension it cannot write is perception.output_invalid', async () => {
    const img = join(dir, 'c.png');
    writeFileSync(img, await greyPng(32, 32));
    const promise = runDetect({ model: modelPath('yolov8'), image: img, out: join(dir, 'out.gif') });
    await expect(promise).rejects.toBeInstanceOf(PerceptionInputError);
    await expect(promise).rejects.toMatchObject({ code: 'perception.output_invalid', issues: [{ path: ['out'] }] });
  });
});
