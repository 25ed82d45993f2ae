import { describe, expect, it } from 'vitest';
import { altitudeBandRule } from '../../../../control/index.js';
import { gotoLocal, NOW, pose, proposal, state, vel } from '../../fixtures.js';

const rule = altitudeBandRule({ minM: 15, maxM: 80, horizonS: 3 });
const atZ = (z: number) => state({ pose: pose(0, 0, 0, z) });
const decide = (action: Parameters<typeof rule.evaluate>[0], s = atZ(40)) =>
  rule.evaluate(action, s, NOW, proposal(action));

describe('altitude-band rule', () => {
  it('allows climbs and descents that stay in the band over the horizon', () => {
    expect(decide(vel(0, 0, 3))).toEqual({ verdict: 'allow' });
    expect(decide(vel(5, 0, 0))).toEqual({ verdict: 'allow' });
  });

  it('clamps a climb to reach the ceiling no sooner than the horizon', () => {
    const r = decide(vel(2, 0, 3), atZ(75));
    expect(r).toMatchObject({ verdict: 'modify', code: 'altitude.clamp', action: vel(2, 0, 5 / 3) });
  });

  it('clamps a descent at the floor, and holds vertical speed at zero on it', () => {
    expect(decide(vel(0, 0, -3), atZ(18))).toMatchObject({ verdict: 'modify', action: vel(0, 0, -1) });
    expect(decide(vel(0, 0, -3), atZ(15))).toMatchObject({ verdict: 'modify', action: vel(0, 0, 0) });
  });

  it('outside the band, allows only vertical moves back into it', () => {
    expect(decide(vel(0, 0, -1), atZ(90))).toEqual({ verdict: 'allow' });
    expect(decide(vel(1, 0, 1), atZ(90))).toMatchObject({
      verdict: 'modify',
      code: 'altitude.outside',
      action: vel(1, 0, 0),
    });
    expect(decide(vel(0, 0, 2), atZ(5))).toEqual({ verdict: 'allow' });
  });

  it('denies a goto to an altitude outside the band; allows landing', () => {
    expect(decide(gotoLocal(0, 0, { altitudeM: 100 }))).toMatchObject({
      verdict: 'deny',
      code: 'altitude.target_outside',
    });
    expect(decide(gotoLocal(0, 0, { altitudeM: 15 }))).toEqual({ verdict: 'allow' });
    expect(decide({ kind: 'land' }, atZ(40))).toEqual({ verdict: 'allow' });
  });

  it('EXPECTED FAILURE - a vertical command without a pose is denied with source.stale', () => {
    expect(decide(vel(0, 0, 1), state({ pose: undefined }))).toMatchObject({ verdict: 'deny', code: 'source.stale' });
  });
});
