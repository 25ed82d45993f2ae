import { describe, expect, it } from 'vitest';
import { footprintBox, GuardError, obstacleRule, STOP } from '../../../../control/index.js';
import type { Action, LaserScan } from '../../../../runtime/index.js';
import { NOW, proposal, scan, state, vel } from '../../fixtures.js';

const footprint: [number, number][] = [
  [-0.5, -0.3],
  [0.5, -0.3],
  [0.5, 0.3],
  [-0.5, 0.3],
];
const rule = obstacleRule({
  stopPolygon: footprintBox(footprint, 0.3),
  slowPolygon: footprintBox(footprint, 1.0),
  slowScale: 0.4,
});
const decide = (action: Action, s: LaserScan | undefined, stampMs = NOW - 50) =>
  rule.evaluate(
    action,
    state({ ...(s === undefined ? {} : { scan: s }), scanStampMs: stampMs }),
    NOW,
    proposal(action),
  );

describe('obstacle rule', () => {
  it('allows motion with nothing close', () => {
    expect(decide(vel(1), scan({ 0: 5 }))).toEqual({ verdict: 'allow' });
  });

  it('stops for a return ahead inside the stop polygon, with the point as evidence', () => {
    const r = decide(vel(1), scan({ 0: 0.7 }));
    expect(r).toMatchObject({ verdict: 'modify', action: STOP, code: 'obstacle.stop', evidence: { beam: 0 } });
  });

  it('ignores returns behind the motion, so a boxed-in robot can back away', () => {
    expect(decide(vel(-1), scan({ 0: 0.7 }))).toEqual({ verdict: 'allow' });
  });

  it('slows for a return in the slow polygon', () => {
    expect(decide(vel(1), scan({ 0: 1.3 }))).toMatchObject({
      verdict: 'modify',
      code: 'obstacle.slow',
      action: vel(0.4),
    });
  });

  it('treats out-of-range and NaN returns as no return', () => {
    expect(decide(vel(1), scan({ 0: 0.01, 1: NaN }))).toEqual({ verdict: 'allow' });
  });

  it('EXPECTED FAILURE - a stale or missing scan denies motion with source.stale', () => {
    expect(decide(vel(1), scan({}), NOW - 5000)).toMatchObject({ verdict: 'deny', code: 'source.stale' });
    expect(decide(vel(1), undefined)).toMatchObject({ verdict: 'deny', code: 'source.stale' });
    expect(decide({ kind: 'hold' }, undefined)).toEqual({ verdict: 'allow' });
  });

  it('BAD CALL - a slowScale outside (0, 1] throws GuardError guard.config_invalid', () => {
    expect(() => obstacleRule({ stopPolygon: footprint, slowScale: 2 })).toThrow(GuardError);
  });
});
