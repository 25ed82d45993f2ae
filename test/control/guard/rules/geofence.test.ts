import { describe, expect, it } from 'vitest';
import { geofenceRule, PreparedPolygon, STOP } from '../../../../control/index.js';
import { EnuFrame } from '../../../../runtime/index.js';
import { gotoLocal, NOW, pose, proposal, square, state, U_SHAPE, vel } from '../../fixtures.js';

const fence = new PreparedPolygon(square(100));
const rule = geofenceRule({ fences: [fence], horizonS: 3 });
const at = (x: number, y: number, yaw = 0) => state({ pose: pose(x, y, yaw) });
const decide = (action: Parameters<typeof rule.evaluate>[0], s = at(0, 0)) =>
  rule.evaluate(action, s, NOW, proposal(action));

describe('geofence rule', () => {
  it('allows a command whose whole horizon stays inside', () => {
    expect(decide(vel(10))).toEqual({ verdict: 'allow' });
  });

  it('slows a command that would leave within the horizon so it stops short of the line', () => {
    const r = decide(vel(10), at(80, 0)); // 30 m in 3 s; the line is 20 m away
    expect(r.verdict).toBe('modify');
    if (r.verdict !== 'modify' || r.action.kind !== 'velocity') throw new Error('expected a velocity modification');
    expect(r.code).toBe('geofence.slow');
    expect(r.action.linearMps.x * 3).toBeLessThan(20);
    expect(r.action.linearMps.x * 3).toBeGreaterThan(19.9);
    expect(r.evidence).toMatchObject({ exitInS: expect.closeTo(2, 9) });
  });

  it('stops a command that would leave almost at once', () => {
    expect(decide(vel(10), at(99.5, 0))).toMatchObject({ verdict: 'modify', action: STOP, code: 'geofence.stop' });
  });

  it('rotates body velocity by the yaw: forward at yaw π/2 is north', () => {
    const r = decide(vel(10), at(0, 80, Math.PI / 2));
    expect(r).toMatchObject({ verdict: 'modify', code: 'geofence.slow' });
    expect(decide(vel(10), at(80, 0, Math.PI / 2))).toEqual({ verdict: 'allow' });
  });

  it('counts the fence line as inside: on it, moving along or inwards is allowed, outwards stops', () => {
    expect(decide(vel(0, 5), at(100, 0))).toEqual({ verdict: 'allow' });
    expect(decide(vel(-5), at(100, 0))).toEqual({ verdict: 'allow' });
    expect(decide(vel(5), at(100, 0))).toMatchObject({ verdict: 'modify', action: STOP });
  });

  it('allows zero and negative (reverse) speeds that stay inside', () => {
    expect(decide(vel(0), at(100, 0))).toEqual({ verdict: 'allow' });
    expect(decide(vel(-10), at(50, 0))).toEqual({ verdict: 'allow' });
    expect(decide(vel(-10), at(-80, 0))).toMatchObject({ verdict: 'modify', code: 'geofence.slow' });
  });

  it('follows a turning command along its arc', () => {
    // At (0, 90) heading east, turning left at 1 rad/s with 10 m/s: radius 10 m, the arc reaches y = 110.
    expect(decide(vel(10, 0, 0, 1), at(0, 90))).toMatchObject({ verdict: 'modify', code: 'geofence.slow' });
    // Turning right stays inside.
    expect(decide(vel(10, 0, 0, -1), at(0, 90))).toEqual({ verdict: 'allow' });
  });

  it('slows a path that crosses the notch of a concave fence, though it ends inside', () => {
    const u = geofenceRule({ fences: [new PreparedPolygon(U_SHAPE)], horizonS: 2 });
    const r = u.evaluate(vel(10), state({ pose: pose(5, 20) }), NOW, proposal(vel(10)));
    expect(r).toMatchObject({ verdict: 'modify', code: 'geofence.slow' });
  });

  it('outside the fence, allows only moves back towards it', () => {
    expect(decide(vel(-1), at(110, 0))).toEqual({ verdict: 'allow' });
    expect(decide(vel(1), at(110, 0))).toMatchObject({
      verdict: 'deny',
      code: 'geofence.outside',
      evidence: { distanceM: 10 },
    });
  });

  it('checks a goto: target and straight path inside', () => {
    expect(decide(gotoLocal(50, 50))).toEqual({ verdict: 'allow' });
    expect(decide(gotoLocal(150, 0))).toMatchObject({ verdict: 'deny', code: 'geofence.target_outside' });
    const u = geofenceRule({ fences: [new PreparedPolygon(U_SHAPE)], horizonS: 3 });
    const g = gotoLocal(25, 20);
    expect(u.evaluate(g, state({ pose: pose(5, 20) }), NOW, proposal(g))).toMatchObject({
      verdict: 'deny',
      code: 'geofence.path_exits',
    });
  });

  it('converts geographic goto targets with the mission frame (no antimeridian tricks needed)', () => {
    const frame = new EnuFrame({ latDeg: 0.0, lonDeg: 179.9995, altM: 0 });
    const geo = geofenceRule({ fences: [fence], horizonS: 3, frame });
    // ~55 m east of the origin, across the antimeridian.
    const across = { kind: 'goto' as const, target: { frame: 'geo' as const, lat: 0, lon: -179.99999 } };
    expect(geo.evaluate(across, at(0, 0), NOW, proposal(across))).toEqual({ verdict: 'allow' });
    const far = { kind: 'goto' as const, target: { frame: 'geo' as const, lat: 0, lon: -179.998 } };
    expect(geo.evaluate(far, at(0, 0), NOW, proposal(far))).toMatchObject({
      verdict: 'deny',
      code: 'geofence.target_outside',
    });
    // Without a frame a geographic target cannot be checked.
    expect(decide(across)).toMatchObject({ verdict: 'deny', code: 'geofence.no_origin' });
  });

  it('with several fences, uses the one the robot is in', () => {
    const two = geofenceRule({
      fences: [new PreparedPolygon(square(10)), new PreparedPolygon(square(10, 100, 0))],
      horizonS: 1,
    });
    expect(two.evaluate(vel(5), at(100, 0), NOW, proposal(vel(5)))).toEqual({ verdict: 'allow' });
  });

  it('EXPECTED FAILURE - no usable pose denies motion with source.stale', () => {
    expect(decide(vel(1), state({ pose: undefined }))).toMatchObject({ verdict: 'deny', code: 'source.stale' });
    expect(decide(vel(1), state({ pose: pose(NaN, 0) }))).toMatchObject({ verdict: 'deny', code: 'source.stale' });
  });

  it('leaves non-motion actions alone', () => {
    expect(decide({ kind: 'hold' }, at(500, 500))).toEqual({ verdict: 'allow' });
  });
});
