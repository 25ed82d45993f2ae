import { describe, expect, it } from 'vitest';
import type { EkfConfig, Measurement } from '../../../perception/fusion/ekf.js';
import { DEFAULT_INITIAL_COVARIANCE, DEFAULT_PROCESS_NOISE } from '../../../perception/fusion/ekf-estimator.js';
import { LaggedFilter } from '../../../perception/fusion/lagged-filter.js';
import { S } from '../../../perception/fusion/state.js';

const config: EkfConfig = {
  twoD: true,
  processNoise: DEFAULT_PROCESS_NOISE,
  initialCovariance: DEFAULT_INITIAL_COVARIANCE,
  gateSigma: 5,
};

const fix = (timeMs: number, x: number): Measurement => ({
  timeMs,
  sensor: 'gnss',
  indices: [S.x, S.y],
  values: [x, 0],
  covariance: [0.25, 0, 0, 0.25],
});

const heading = (timeMs: number): Measurement => ({
  timeMs,
  sensor: 'imu/orientation',
  indices: [S.yaw],
  values: [0],
  covariance: [0.01],
});

/**
 * A filter that believes it moves at 5 m/s while a 100 Hz heading source
 * keeps its time ahead of the position fixes, as a real IMU does ahead of a
 * GNSS fix delivered 100-200 ms after its stamp.
 */
function runaway(): LaggedFilter {
  const f = new LaggedFilter(config, { historyMs: 1000 });
  f.add(fix(0, 0));
  f.add({ timeMs: 0, sensor: 'odom', indices: [S.vx], values: [5], covariance: [0.01] });
  for (let t = 10; t <= 600; t += 10) f.add(heading(t));
  return f;
}

describe('LaggedFilter.reset', () => {
  it('re-initialises from a late absolute fix: rewinds to its stamp and replays what came after', () => {
    const f = runaway();
    expect(f.ekf.x[S.x]).toBeGreaterThan(2.5); // 600 ms at 5 m/s
    // The fix is stamped 500 ms but arrives when the filter is at 600 ms (the case that returned false before).
    expect(f.reset(fix(500, 0), [S.vx, S.vy])).toBe(true);
    expect(f.counters.resets).toBe(1);
    expect(f.filterTimeMs).toBe(600);
    // At the fix's stamp x = 0; 100 ms of replayed prediction at most 5 m/s moves it at most 0.5 m.
    expect(Math.abs(f.ekf.x[S.x] as number)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(f.ekf.variance(S.vx)).toBeGreaterThanOrEqual(0.9); // widened, not the 0.01 it had
  });

  it('refuses a fix older than its history and leaves the state as it was', () => {
    const f = runaway();
    const before = Float64Array.from(f.ekf.x);
    expect(f.reset(fix(-5000, 0), [S.vx])).toBe(false);
    expect(f.counters.resets).toBe(0);
    expect(Array.from(f.ekf.x)).toEqual(Array.from(before));
  });

  it('an in-order fix re-initialises at its own time as before', () => {
    const f = runaway();
    expect(f.reset(fix(700, 1), [S.vx])).toBe(true);
    expect(f.filterTimeMs).toBe(700);
    expect(f.ekf.x[S.x]).toBeCloseTo(1, 6);
  });
});
