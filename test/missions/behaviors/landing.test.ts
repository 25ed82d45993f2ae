import { describe, expect, it } from 'vitest';
import { LandingDetector } from '../../../missions/behaviors/landing.js';
import { RandomSource } from '../../../sim/index.js';

/** A landing as the estimator reports it: 1.5 m/s to 3 m, 0.5 m/s to the ground, then a GNSS height that wanders. */
function landingHeights(
  seed: number,
  touchdownBiasM: number,
): { tMs: number; z: number; trueZ: number; touchedDown: boolean }[] {
  const rng = new RandomSource(seed).stream('landing');
  const out: { tMs: number; z: number; trueZ: number; touchedDown: boolean }[] = [];
  let z = 12;
  let drift = 0;
  for (let tMs = 0; tMs < 60_000; tMs += 33) {
    if (z > 0) z = Math.max(0, z - (z > 3 ? 1.5 : 0.5) * 0.033);
    // Gauss-Markov GNSS height bias (τ 60 s) plus filtered noise, as a landed drone's estimate reads.
    drift += -drift * (0.033 / 60) + rng.gaussian(0, 1.8 * Math.sqrt((2 * 0.033) / 60));
    out.push({ tMs, z: z + touchdownBiasM + drift + rng.gaussian(0, 0.15), trueZ: z, touchedDown: z === 0 });
  }
  return out;
}

describe('LandingDetector', () => {
  it('sees the touchdown within a few seconds, never before the last metres of the descent', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const d = new LandingDetector();
      const samples = landingHeights(seed, seed % 2 === 0 ? 2.5 : -3);
      const touchdownMs = samples.find((s) => s.touchedDown)!.tMs;
      const landedAt = samples.find((s) => d.update(s.z, s.tMs));
      expect(landedAt, `seed ${seed}`).toBeDefined();
      // Early only within the final slow descent (below 3 m), when the GNSS height drifts up meanwhile.
      expect(landedAt!.trueZ, `seed ${seed}`).toBeLessThan(3);
      expect(landedAt!.tMs - touchdownMs, `seed ${seed}`).toBeLessThan(8000);
    }
  });

  it('EXPECTED FAILURE - a drone hovering high, or descending at 0.5 m/s, is not landed', () => {
    const d = new LandingDetector();
    for (let t = 0; t < 10_000; t += 33) expect(d.update(40, t)).toBe(false);
    d.reset();
    for (let t = 0; t < 10_000; t += 33) expect(d.update(8 - (0.5 * t) / 1000, t)).toBe(false);
  });
});
