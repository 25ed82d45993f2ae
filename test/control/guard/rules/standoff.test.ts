import { describe, expect, it } from 'vitest';
import { standoffRule } from '../../../../control/index.js';
import type { Action, Target } from '../../../../runtime/index.js';
import { gotoLocal, NOW, pose, proposal, state, target, vel } from '../../fixtures.js';

const rule = standoffRule({ specs: [{ className: 'person', stopM: 30, slowM: 50, noPayloadM: 40 }], horizonS: 3 });
const decide = (action: Action, x: number, targets: readonly Target[]) =>
  rule.evaluate(action, state({ pose: pose(x, 0), targets }), NOW, proposal(action));
const person = target('p1', 'person', 100, 0);
const tree = target('t1', 'tree', 5, 0);

describe('standoff rule', () => {
  it('ignores classes without a standoff', () => {
    expect(decide(vel(5), 0, [tree])).toEqual({ verdict: 'allow' });
  });

  it('denies any approach inside the stop zone but allows moving away', () => {
    expect(decide(vel(1), 80, [person])).toMatchObject({
      verdict: 'deny',
      code: 'standoff.stop',
      evidence: { target: 'p1', distanceM: 20 },
    });
    expect(decide(vel(-1), 80, [person])).toEqual({ verdict: 'allow' });
    expect(decide(vel(0, 1), 80, [person])).toEqual({ verdict: 'allow' });
  });

  it('on the stop line counts as inside', () => {
    expect(decide(vel(1), 70, [person])).toMatchObject({ verdict: 'deny', code: 'standoff.stop' });
  });

  it('scales closing speed in the slow zone, linearly to zero at the stop line', () => {
    const r = decide(vel(2), 60, [person]); // 40 m away: halfway through the slow zone
    expect(r).toMatchObject({ verdict: 'modify', code: 'standoff.slow', action: vel(1) });
  });

  it('slows a path that would enter the stop zone within the horizon', () => {
    const r = decide(vel(20), 0, [person]); // stop line at 70 m, reached after 3.5 s: fine; 30 m/s would not be
    expect(r).toEqual({ verdict: 'allow' });
    const fast = decide(vel(30), 0, [person]);
    expect(fast).toMatchObject({ verdict: 'modify', code: 'standoff.slow' });
    if (fast.verdict !== 'modify' || fast.action.kind !== 'velocity') throw new Error('expected velocity');
    expect(fast.action.linearMps.x * 3).toBeLessThan(70);
  });

  it('denies payload release within noPayloadM, allows it beyond and allows switching off', () => {
    expect(decide({ kind: 'payload', on: true }, 65, [person])).toMatchObject({
      verdict: 'deny',
      code: 'standoff.payload',
    });
    expect(decide({ kind: 'payload', on: true }, 55, [person])).toEqual({ verdict: 'allow' });
    expect(decide({ kind: 'payload', on: false }, 95, [person])).toEqual({ verdict: 'allow' });
  });

  it('denies a goto to or past a person', () => {
    expect(decide(gotoLocal(90, 0), 0, [person])).toMatchObject({ verdict: 'deny', code: 'standoff.goto_target' });
    expect(decide(gotoLocal(200, 0), 0, [person])).toMatchObject({ verdict: 'deny', code: 'standoff.path' });
    expect(decide(gotoLocal(0, 100), 0, [person])).toEqual({ verdict: 'allow' });
  });

  it('EXPECTED FAILURE - a target with a NaN position denies with standoff.target_invalid', () => {
    expect(decide(vel(1), 0, [target('p2', 'person', NaN, 0)])).toMatchObject({
      verdict: 'deny',
      code: 'standoff.target_invalid',
    });
  });
});
