/**
 * Jerk-limited smoothing: for random limits, steps and targets (fast-check,
 * fixed seed) the output's own finite differences never exceed the
 * acceleration or jerk limit, and the output converges to the target.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuardError, JerkLimiter, type JerkLimits } from '../../../control/index.js';

const SEED = 20260107;
const RUNS = 200;

const limits = fc.record({
  maxAccelMps2: fc.double({ min: 0.5, max: 10, noNaN: true }),
  maxJerkMps3: fc.double({ min: 0.5, max: 50, noNaN: true }),
});
const dt = fc.constantFrom(0.01, 0.02, 0.05);
const vel = fc.double({ min: -20, max: 20, noNaN: true });

/** Drives the limiter and tracks the worst acceleration and jerk of its output, as ratios to the limits. */
function drive(lim: JerkLimits, dtS: number, v0: [number, number]) {
  const j = new JerkLimiter(lim);
  j.reset(v0[0], v0[1]);
  let [px, py] = v0;
  let pax = 0;
  let pay = 0;
  const worst = { accel: 0, jerk: 0 };
  return {
    worst,
    get v(): [number, number] {
      return [px, py];
    },
    run(tx: number, ty: number, steps: number): void {
      for (let k = 0; k < steps; k++) {
        const out = j.step(tx, ty, dtS);
        const ax = (out.vx - px) / dtS;
        const ay = (out.vy - py) / dtS;
        worst.accel = Math.max(worst.accel, Math.hypot(ax, ay) / lim.maxAccelMps2);
        worst.jerk = Math.max(worst.jerk, Math.hypot(ax - pax, ay - pay) / dtS / lim.maxJerkMps3);
        px = out.vx;
        py = out.vy;
        pax = ax;
        pay = ay;
      }
    },
  };
}

/** Slack for float rounding in finite differences over a small dt. */
const RATIO_TOLERANCE = 1 + 1e-6;

describe('jerk limiter', () => {
  it('never exceeds the acceleration or jerk limit, and converges to a fixed target', () => {
    fc.assert(
      fc.property(limits, dt, vel, vel, vel, vel, (lim, dtS, v0x, v0y, tx, ty) => {
        const d = drive(lim, dtS, [v0x, v0y]);
        // Time to converge: the whole change at the acceleration limit, plus the ramps at both ends, with margin.
        const dv = Math.hypot(tx - v0x, ty - v0y);
        const boundS =
          dv / lim.maxAccelMps2 + (4 * lim.maxAccelMps2) / lim.maxJerkMps3 + 4 * Math.sqrt(dv / lim.maxJerkMps3) + 1;
        d.run(tx, ty, Math.ceil(boundS / dtS));
        expect(d.worst.accel).toBeLessThanOrEqual(RATIO_TOLERANCE);
        expect(d.worst.jerk).toBeLessThanOrEqual(RATIO_TOLERANCE);
        const [vx, vy] = d.v;
        expect(Math.hypot(vx - tx, vy - ty)).toBeLessThanOrEqual(1e-6 + 4 * lim.maxJerkMps3 * dtS * dtS);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('respects the limits while the target keeps jumping (a behavior changing its mind)', () => {
    fc.assert(
      fc.property(
        limits,
        dt,
        fc.array(fc.tuple(vel, vel, fc.integer({ min: 1, max: 200 })), { minLength: 1, maxLength: 8 }),
        (lim, dtS, targets) => {
          const d = drive(lim, dtS, [0, 0]);
          for (const [tx, ty, n] of targets) d.run(tx, ty, n);
          expect(d.worst.accel).toBeLessThanOrEqual(RATIO_TOLERANCE);
          expect(d.worst.jerk).toBeLessThanOrEqual(RATIO_TOLERANCE);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a step from rest to 5 m/s: an S-curve at the limits (2 m/s², 4 m/s³) with no overshoot', () => {
    const j = new JerkLimiter({ maxAccelMps2: 2, maxJerkMps3: 4 });
    const v: number[] = [];
    for (let k = 0; k < 500; k++) v.push(j.step(5, 0, 0.01).vx);
    // Jerk-limited ideal: ramp up 0.5 s, 2 m/s² for 2.0 s, ramp down 0.5 s = 3.0 s; the feedback law adds a little.
    const reachedS = (v.findIndex((x) => Math.abs(x - 5) < 1e-3) + 1) * 0.01;
    expect(reachedS).toBeGreaterThan(2.9);
    expect(reachedS).toBeLessThan(3.3);
    expect(Math.max(...v)).toBeLessThanOrEqual(5 + 1e-3);
    expect(v.at(-1)).toBeCloseTo(5, 9);
  });

  it('EXPECTED FAILURE - a NaN target holds the last output; a NaN step changes nothing', () => {
    const j = new JerkLimiter({ maxAccelMps2: 2, maxJerkMps3: 4 });
    for (let k = 0; k < 50; k++) j.step(3, 0, 0.01);
    const before = j.state.vx;
    const out = j.step(Number.NaN, 0, 0.01);
    expect(Number.isFinite(out.vx)).toBe(true);
    expect(Math.abs(out.vx - before)).toBeLessThan(0.1);
    expect(j.step(3, 0, Number.NaN).vx).toBe(out.vx);
  });

  it('BAD CALL - non-positive or NaN limits are a GuardError naming the field', () => {
    expect(() => new JerkLimiter({ maxAccelMps2: 0, maxJerkMps3: 1 })).toThrow(GuardError);
    expect(() => new JerkLimiter({ maxAccelMps2: 1, maxJerkMps3: Number.NaN })).toThrow(/maxJerkMps3/);
  });
});
