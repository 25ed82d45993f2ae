import { describe, expect, it } from 'vitest';
import { geofenceRule, GuardPipeline, noGoRule, PreparedPolygon, STOP } from '../../../../control/index.js';
import { gotoLocal, NOW, pose, proposal, square, state, vel } from '../../fixtures.js';

const school = { name: 'school', polygon: new PreparedPolygon(square(10, 50, 0)) };
const rule = noGoRule({ zones: [school], horizonS: 3 });
const at = (x: number, y: number, yaw = 0) => state({ pose: pose(x, y, yaw) });
const decide = (action: Parameters<typeof rule.evaluate>[0], s = at(0, 0)) =>
  rule.evaluate(action, s, NOW, proposal(action));

describe('no-go rule', () => {
  it('allows paths that miss the zone', () => {
    expect(decide(vel(10))).toEqual({ verdict: 'allow' });
    expect(decide(vel(0, 10), at(50, -50))).toEqual({ verdict: 'allow' });
  });

  it('slows a path that would enter within the horizon, naming the zone', () => {
    const r = decide(vel(20)); // enters at x = 40 after 2 s
    expect(r).toMatchObject({
      verdict: 'modify',
      code: 'no_go.slow',
      evidence: { zone: 'school', entryInS: expect.closeTo(2, 9) },
    });
    if (r.verdict !== 'modify' || r.action.kind !== 'velocity') throw new Error('expected velocity');
    expect(r.action.linearMps.x * 3).toBeLessThan(40);
  });

  it('counts the zone edge as inside: a path that only touches it is slowed too', () => {
    // Along y = 10 (the zone's north edge) towards it.
    expect(decide(vel(20), at(0, 10))).toMatchObject({ verdict: 'modify', code: 'no_go.slow' });
  });

  it('stops just before the zone', () => {
    expect(decide(vel(5), at(39.95, 0))).toMatchObject({ verdict: 'modify', action: STOP, code: 'no_go.stop' });
  });

  it('inside the zone, only moves out are allowed', () => {
    expect(decide(vel(5), at(55, 0))).toEqual({ verdict: 'allow' });
    expect(decide(vel(-5), at(55, 0))).toMatchObject({ verdict: 'deny', code: 'no_go.inside' });
  });

  it('denies a goto into or across the zone', () => {
    expect(decide(gotoLocal(50, 0))).toMatchObject({ verdict: 'deny', code: 'no_go.target_inside' });
    expect(decide(gotoLocal(100, 0))).toMatchObject({ verdict: 'deny', code: 'no_go.path_enters' });
    expect(decide(gotoLocal(0, 100))).toEqual({ verdict: 'allow' });
  });

  it('makes a hole in a keep-in fence: fence and zone together keep the robot in the ring', () => {
    const p = new GuardPipeline([
      geofenceRule({ fences: [new PreparedPolygon(square(100))], horizonS: 3 }),
      noGoRule({ zones: [{ name: 'hole', polygon: new PreparedPolygon(square(20)) }], horizonS: 3 }),
    ]);
    // Heading at the hole from the west, inside the fence.
    expect(p.decide(proposal(vel(30)), at(-60, 0), NOW)).toMatchObject({ verdict: 'modify', ruleId: 'no-go' });
    // A goto into the hole is refused although the fence allows it.
    expect(p.decide(proposal(gotoLocal(0, 0)), at(-60, 0), NOW)).toMatchObject({
      verdict: 'deny',
      code: 'no_go.target_inside',
    });
    // Passing the hole on the ring is fine.
    expect(p.decide(proposal(vel(0, 10)), at(-60, 0), NOW)).toMatchObject({ verdict: 'allow' });
  });
});
