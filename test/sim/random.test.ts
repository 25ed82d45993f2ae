import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../sim/index.js';

describe('RandomSource', () => {
  it('gives the same numbers for the same seed and stream name', () => {
    const a = new RandomSource(7).stream('sensor:imu');
    const b = new RandomSource(7).stream('sensor:imu');
    for (let i = 0; i < 100; i++) expect(a.next()).toBe(b.next());
  });

  it('gives independent streams per name and per seed', () => {
    const imu = new RandomSource(7).stream('sensor:imu').next();
    expect(new RandomSource(7).stream('sensor:gnss').next()).not.toBe(imu);
    expect(new RandomSource(8).stream('sensor:imu').next()).not.toBe(imu);
  });

  it('draws uniforms in [0, 1) and standard normals with mean 0 and sd 1', () => {
    const s = new RandomSource(1).stream('stats');
    let sum = 0;
    let sumSq = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const u = s.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      const g = s.gaussian();
      sum += g;
      sumSq += g * g;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.sqrt(sumSq / n)).toBeCloseTo(1, 1);
  });
});
