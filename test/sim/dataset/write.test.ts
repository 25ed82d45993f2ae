import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinScenario, generateDataset, writeDataset } from '../../../sim/index.js';

const scenario = builtinScenario('forest-fire')!;
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('writeDataset', () => {
  it('writes JPEGs with full-resolution colour that decode to the rendered frames, and one label file per image', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'kestrel-ds-'));
    dirs.push(outDir);
    const options = { scenario, frames: 2, seed: 5, width: 160, height: 120, valFraction: 0.5, spanS: 40 };
    const summary = await writeDataset({ ...options, outDir });
    expect(summary.frames.train + summary.frames.val).toBe(2);
    for (const frame of generateDataset(options)) {
      const jpeg = await readFile(join(outDir, 'images', frame.split, `${frame.name}.jpg`));
      const meta = await sharp(jpeg).metadata();
      // 4:2:0 would average the colour of every 2 x 2 block: a person 2-4 px wide is mostly colour.
      expect(meta.chromaSubsampling).toBe('4:4:4');
      const { data } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
      let err = 0;
      for (let i = 0; i < data.length; i++) err += Math.abs((data[i] as number) - (frame.rgb[i] as number));
      expect(err / data.length).toBeLessThan(3);
      const labels = await readFile(join(outDir, 'labels', frame.split, `${frame.name}.txt`), 'utf8');
      expect(labels.trim().split('\n').filter(Boolean)).toHaveLength(frame.labels.length);
    }
    expect(
      (await readdir(join(outDir, 'images', 'train'))).length + (await readdir(join(outDir, 'images', 'val'))).length,
    ).toBe(2);
  });
});
