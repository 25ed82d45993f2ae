import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KestrelError } from '../../../runtime/index.js';
import { builtinScenario, generateDataset, type DatasetFrame } from '../../../sim/index.js';

const scenario = builtinScenario('forest-fire')!;

function digest(frames: readonly DatasetFrame[]): string {
  const h = createHash('sha256');
  for (const f of frames) {
    h.update(f.name).update(f.split).update(f.rgb);
    h.update(JSON.stringify(f.labels));
  }
  return h.digest('hex');
}

const small = (seed: number): DatasetFrame[] => [
  ...generateDataset({ scenario, frames: 2, seed, width: 160, height: 120, valFraction: 0.5, spanS: 40 }),
];

describe('generateDataset', () => {
  it('same seed, same frames and labels; another seed, other frames', () => {
    const a = small(5);
    expect(digest(small(5))).toBe(digest(a));
    expect(digest(small(6))).not.toBe(digest(a));
  });

  it('writes normalised labels inside the image, whole episodes per split', () => {
    const frames = small(5);
    expect(frames.map((f) => f.name)).toEqual(['forest-fire-5-00000', 'forest-fire-5-00001']);
    expect(frames.filter((f) => f.split === 'val')).toHaveLength(1);
    for (const f of frames) {
      expect(f.rgb.length).toBe(160 * 120 * 3);
      for (const l of f.labels) {
        expect(l.classIndex).toBeGreaterThanOrEqual(0);
        expect(l.classIndex).toBeLessThan(4);
        for (const v of [l.cx, l.cy, l.w, l.h]) {
          expect(v).toBeGreaterThan(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(l.cx - l.w / 2).toBeGreaterThanOrEqual(-1e-9);
        expect(l.cx + l.w / 2).toBeLessThanOrEqual(1 + 1e-9);
      }
    }
  });

  it('labels fires by cluster, never by cell', () => {
    const frames = [...generateDataset({ scenario, frames: 6, seed: 3, width: 160, height: 120, spanS: 60 })];
    const fires = frames.flatMap((f) => f.boxes.filter((b) => b.cls === 'fire'));
    expect(fires.length).toBeGreaterThan(0);
    for (const b of fires) expect(b.id).toMatch(/^fire-\d+$/);
  });

  it('BAD CALL - zero frames and a fractional seed are refused with every problem named', () => {
    const bad = (): unknown => [...generateDataset({ scenario, frames: 0, seed: 1.5 })];
    expect(bad).toThrow(KestrelError);
    try {
      bad();
    } catch (e) {
      expect((e as KestrelError).code).toBe('sim.dataset_invalid');
      expect((e as KestrelError).issues.map((i) => i.path[0])).toEqual(['frames', 'seed']);
    }
  });
});
