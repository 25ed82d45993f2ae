import { describe, expect, it } from 'vitest';
import { GuardError, speedLimitsRule } from '../../../../control/index.js';
import type { Action } from '../../../../runtime/index.js';
import { gotoLocal, NOW, proposal, state, vel } from '../../fixtures.js';

function limits(maxAccelMps2?: number) {
  return speedLimitsRule({
    maxLinearMps: 10,
    maxVerticalMps: 2,
    maxYawRateRps: 1,
    ...(maxAccelMps2 === undefined ? {} : { maxAccelMps2 }),
  });
}

describe('speed-limits rule', () => {
  it('allows commands within the limits, including zero and reverse', () => {
    const rule = limits();
    for (const a of [vel(0), vel(-10), vel(6, -8), vel(0, 0, -2, -1)]) {
      expect(rule.evaluate(a, state(), NOW, proposal(a))).toEqual({ verdict: 'allow' });
    }
  });

  it('clamps horizontal speed keeping direction, and vertical and yaw rate each', () => {
    const rule = limits();
    const r = rule.evaluate(vel(-12, 16, -5, 3), state(), NOW, proposal(vel(0)));
    expect(r).toMatchObject({ verdict: 'modify', code: 'speed.clamp' });
    if (r.verdict !== 'modify' || r.action.kind !== 'velocity') throw new Error('expected velocity');
    expect(r.action.linearMps.x).toBeCloseTo(-6, 12);
    expect(r.action.linearMps.y).toBeCloseTo(8, 12);
    expect(r.action.linearMps.z).toBe(-2);
    expect(r.action.yawRateRps).toBe(1);
  });

  it('gives a goto the speed limit when it asks for more or says nothing', () => {
    const rule = limits();
    expect(rule.evaluate(gotoLocal(1, 1), state(), NOW, proposal(vel(0)))).toMatchObject({
      verdict: 'modify',
      action: gotoLocal(1, 1, { speedMps: 10 }),
    });
    expect(rule.evaluate(gotoLocal(1, 1, { speedMps: 4 }), state(), NOW, proposal(vel(0)))).toEqual({
      verdict: 'allow',
    });
  });

  it('limits acceleration relative to the last approved command', () => {
    const rule = limits(2);
    const approve = (a: Action, t: number): void => rule.commit?.(a, proposal(a), t);
    approve(vel(0), NOW);
    // 500 ms later at 2 m/s²: at most 1 m/s more.
    const r = rule.evaluate(vel(8), state(), NOW + 500, proposal(vel(8)));
    expect(r).toMatchObject({ verdict: 'modify', code: 'speed.accel', action: vel(1) });
    approve(vel(1), NOW + 500);
    // Braking is never limited.
    expect(rule.evaluate(vel(0), state(), NOW + 510, proposal(vel(0)))).toEqual({ verdict: 'allow' });
    // After a stop the ramp starts from zero again.
    approve({ kind: 'stop' }, NOW + 600);
    expect(rule.evaluate(vel(5), state(), NOW + 1100, proposal(vel(5)))).toMatchObject({ action: vel(1) });
  });

  it('BAD CALL - a non-positive limit throws GuardError guard.config_invalid', () => {
    expect(() => speedLimitsRule({ maxLinearMps: 0 })).toThrow(GuardError);
    expect(() => speedLimitsRule({ maxLinearMps: 1, maxVerticalMps: NaN })).toThrow(
      expect.objectContaining({ code: 'guard.config_invalid', message: expect.stringContaining('maxVerticalMps') }),
    );
  });
});
