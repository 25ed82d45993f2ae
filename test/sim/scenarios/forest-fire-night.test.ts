import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { builtinScenario, builtinScenarioNames, generateDataset, type DatasetFrame } from '../../../sim/index.js';

const day = builtinScenario('forest-fire')!;
const night = builtinScenario('forest-fire-night')!;

const frames = (scenario: typeof day, seed: number): DatasetFrame[] => [
  ...generateDataset({ scenario, frames: 3, seed, width: 160, height: 120, valFraction: 0, spanS: 60 }),
];

function digest(fs: readonly DatasetFrame[]): string {
  const h = createHash('sha256');
  for (const f of fs) h.update(f.name).update(f.rgb).update(JSON.stringify(f.labels));
  return h.digest('hex');
}

const mean = (fs: readonly DatasetFrame[]): number =>
  fs.reduce((s, f) => s + f.rgb.reduce((a, v) => a + v, 0) / f.rgb.length, 0) / fs.length;

describe('forest-fire-night scenario', () => {
  it('is a built-in: the forest-fire world at night, glowing fires, denser smoke', () => {
    expect(builtinScenarioNames).toContain('forest-fire-night');
    expect(night.name).toBe('forest-fire-night');
    expect(night.fire).toEqual(day.fire);
    expect(night.persons).toEqual(day.persons);
    expect(night.vehicles).toEqual(day.vehicles);
    expect(night.lighting.ambient).toBeLessThan(0.3);
    expect(night.lighting.fireGlowM).toBeGreaterThan(0);
    expect(day.lighting.fireGlowM).toBe(0);
    expect(night.smoke.opacity).toBeGreaterThan(day.smoke.opacity);
  });

  it('renders the same frames for the same seed, other frames for another', () => {
    const a = frames(night, 4);
    expect(digest(frames(night, 4))).toBe(digest(a));
    expect(digest(frames(night, 5))).not.toBe(digest(a));
    expect(a.map((f) => f.name)).toEqual([
      'forest-fire-night-4-00000',
      'forest-fire-night-4-00001',
      'forest-fire-night-4-00002',
    ]);
  });

  it('is darker than the day scenario, with the same fires labelled (the glow is not part of a label)', () => {
    const d = frames(day, 4);
    const n = frames(night, 4);
    expect(mean(n)).toBeLessThan(mean(d) * 0.5);
    const fires = (fs: readonly DatasetFrame[]) => fs.map((f) => f.labels.filter((l) => l.classIndex === 0));
    expect(fires(n).flat().length).toBeGreaterThan(0);
    expect(fires(n)).toEqual(fires(d));
  });
});
