/**
 * Property-based tests of the guard's promises, over random concave fences,
 * keep-out zones, people, poses and commands (fast-check, fixed seed):
 * no approved velocity command leaves the fence, enters a keep-out zone or
 * comes within a standoff over its horizon, none exceeds a limit; a rule that
 * throws always denies; an engaged e-stop always wins.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGuard, PreparedPolygon } from '../../../control/index.js';
import type { GuardRule } from '../../../control/index.js';
import type { Guardrails, LocalPoint, Platform } from '../../../missions/index.js';
import type { Action, VelocityAction } from '../../../runtime/index.js';
import { guardrails, NOW, pose, proposal, state, target } from '../fixtures.js';

const SEED = 20260101;
const RUNS = 400;
/** The arc is checked as chords within 2 cm (PathSampler); the check here allows that and float noise. */
const ARC_TOLERANCE_M = 0.021;
const HORIZON_S = 3;
const MAX_LINEAR = 12;
const MAX_VERTICAL = 3;
const MAX_YAW_DPS = 60;

const platform: Platform = {
  kind: 'multirotor',
  id: 'p',
  maxSpeedMps: 15,
  maxClimbMps: 4,
  maxYawRateDps: 90,
  maxAccelMps2: 100,
};

/** A star-shaped, usually concave polygon around (cx, cy). */
const starPolygon = (
  cx: number,
  cy: number,
  minR: number,
  maxR: number,
  maxVertices: number,
): fc.Arbitrary<LocalPoint[]> =>
  fc.array(fc.double({ min: minR, max: maxR, noNaN: true }), { minLength: 3, maxLength: maxVertices }).map((radii) =>
    radii.map((r, i): LocalPoint => {
      const a = (2 * Math.PI * i) / radii.length;
      return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    }),
  );

const world = fc.record({
  fence: starPolygon(0, 0, 40, 150, 24),
  zones: fc.array(
    fc
      .record({
        cx: fc.double({ min: -100, max: 100, noNaN: true }),
        cy: fc.double({ min: -100, max: 100, noNaN: true }),
      })
      .chain(({ cx, cy }) => starPolygon(cx, cy, 3, 15, 8)),
    { maxLength: 4 },
  ),
  people: fc.array(
    fc.record({
      x: fc.double({ min: -120, max: 120, noNaN: true }),
      y: fc.double({ min: -120, max: 120, noNaN: true }),
    }),
    {
      maxLength: 3,
    },
  ),
  x: fc.double({ min: -60, max: 60, noNaN: true }),
  y: fc.double({ min: -60, max: 60, noNaN: true }),
  z: fc.double({ min: 0, max: 100, noNaN: true }),
  yaw: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
});

const velocity: fc.Arbitrary<VelocityAction> = fc.record({
  kind: fc.constant('velocity' as const),
  linearMps: fc.record({
    x: fc.oneof(fc.constant(0), fc.double({ min: -40, max: 40, noNaN: true })),
    y: fc.oneof(fc.constant(0), fc.double({ min: -40, max: 40, noNaN: true })),
    z: fc.oneof(fc.constant(0), fc.double({ min: -10, max: 10, noNaN: true })),
  }),
  yawRateRps: fc.oneof(fc.constant(0), fc.double({ min: -3, max: 3, noNaN: true })),
});

function rails(fence: LocalPoint[], zones: LocalPoint[][]): Guardrails {
  return guardrails({
    geofence: [fence],
    noGo: zones.map((polygon, i) => ({ name: `z${i}`, polygon })),
    horizonS: HORIZON_S,
    altitude: { minM: 10, maxM: 80 },
    speed: { maxLinearMps: MAX_LINEAR, maxVerticalMps: MAX_VERTICAL, maxYawRateDps: MAX_YAW_DPS },
    standoff: [{ class: 'person', stopM: 10, slowM: 20 }],
  });
}

/** Position along the true (unsampled) path of `v` from (x, y, yaw) after t seconds. */
function along(x: number, y: number, yaw: number, v: VelocityAction, t: number): [number, number] {
  const { x: vx, y: vy } = v.linearMps;
  const w = v.yawRateRps;
  if (Math.abs(w) < 1e-12)
    return [x + (Math.cos(yaw) * vx - Math.sin(yaw) * vy) * t, y + (Math.sin(yaw) * vx + Math.cos(yaw) * vy) * t];
  const th = yaw + w * t;
  const ds = Math.sin(th) - Math.sin(yaw);
  const dc = Math.cos(th) - Math.cos(yaw);
  return [x + (vx * ds + vy * dc) / w, y + (-vx * dc + vy * ds) / w];
}

describe('guard properties', () => {
  it('no approved velocity command leaves the fence, enters a zone, nears a person or exceeds a limit within its horizon', () => {
    fc.assert(
      fc.property(world, velocity, ({ fence, zones, people, x, y, z, yaw }, action) => {
        const fencePoly = new PreparedPolygon(fence);
        const zonePolys = zones.map((zz) => new PreparedPolygon(zz));
        // Start somewhere legal: inside the fence, out of every zone, clear of every stop zone.
        fc.pre(fencePoly.contains(x, y));
        fc.pre(zonePolys.every((p) => !p.contains(x, y)));
        fc.pre(people.every((p) => Math.hypot(p.x - x, p.y - y) > 10));
        const guard = createGuard({ guardrails: rails(fence, zones), platform, ignoreRegistered: true });
        const targets = people.map((p, i) => target(`h${i}`, 'person', p.x, p.y));
        const d = guard.decide(proposal(action), state({ pose: pose(x, y, yaw, z), targets }), NOW);
        if (d.verdict === 'deny') return;
        const a = d.action;
        if (a === undefined) throw new Error('an approved decision must carry its action');
        if (a.kind !== 'velocity') {
          expect(a.kind).toBe('stop');
          return;
        }
        expect(Math.hypot(a.linearMps.x, a.linearMps.y)).toBeLessThanOrEqual(MAX_LINEAR + 1e-9);
        expect(Math.abs(a.linearMps.z)).toBeLessThanOrEqual(MAX_VERTICAL + 1e-9);
        expect(Math.abs(a.yawRateRps)).toBeLessThanOrEqual((MAX_YAW_DPS * Math.PI) / 180 + 1e-12);
        const zEnd = z + a.linearMps.z * HORIZON_S;
        if (z >= 10 && z <= 80) expect(zEnd >= 10 - 1e-9 && zEnd <= 80 + 1e-9).toBe(true);
        for (let k = 0; k <= 150; k++) {
          const [px, py] = along(x, y, yaw, a, (HORIZON_S * k) / 150);
          expect(fencePoly.contains(px, py) || Math.sqrt(fencePoly.boundaryDistanceSq(px, py)) <= ARC_TOLERANCE_M).toBe(
            true,
          );
          for (const zp of zonePolys) {
            expect(!zp.contains(px, py) || Math.sqrt(zp.boundaryDistanceSq(px, py)) <= ARC_TOLERANCE_M).toBe(true);
          }
          for (const p of people) expect(Math.hypot(p.x - px, p.y - py)).toBeGreaterThanOrEqual(10 - ARC_TOLERANCE_M);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  const anyAction: fc.Arbitrary<Action> = fc.oneof(
    velocity,
    fc.constant<Action>({ kind: 'hold' }),
    fc.constant<Action>({ kind: 'land' }),
    fc.constant<Action>({ kind: 'return_home' }),
    fc.record({ kind: fc.constant('payload' as const), on: fc.boolean() }),
    fc.record({
      kind: fc.constant('goto' as const),
      target: fc.record({
        frame: fc.constant('local' as const),
        x: fc.double({ noNaN: false }),
        y: fc.double({ min: -200, max: 200 }),
      }),
    }),
  );

  it('a rule that throws always denies (fail closed), wherever it sits', () => {
    fc.assert(
      fc.property(world, anyAction, fc.nat(3), ({ fence, zones, x, y, z, yaw }, action, at) => {
        const boom: GuardRule = {
          id: 'boom',
          evaluate: () => {
            throw new Error('rule bug');
          },
        };
        const filler = (i: number): GuardRule => ({ id: `ok${i}`, evaluate: () => ({ verdict: 'allow' }) });
        const rules = [filler(0), filler(1), filler(2)];
        rules.splice(at, 0, boom);
        const guard = createGuard({ guardrails: rails(fence, zones), platform, ignoreRegistered: true, rules });
        const d = guard.decide(proposal(action), state({ pose: pose(x, y, yaw, z) }), NOW);
        expect(d.verdict).toBe('deny');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('an engaged e-stop always wins: only stop passes, whatever else the rules say', () => {
    fc.assert(
      fc.property(
        world,
        fc.oneof(anyAction, fc.constant<Action>({ kind: 'stop' })),
        fc.boolean(),
        ({ fence, zones, x, y, z, yaw }, action, lenient) => {
          // A rule that would wave everything through (a modification to hold or no-op) must not matter.
          const permissive: GuardRule = { id: 'permissive', evaluate: () => ({ verdict: 'allow' }) };
          const guard = createGuard({
            guardrails: rails(fence, zones),
            platform,
            ignoreRegistered: true,
            rules: lenient ? [permissive] : [],
          });
          guard.estop.engage('property test', NOW);
          const d = guard.decide(proposal(action), state({ pose: pose(x, y, yaw, z) }), NOW);
          if (action.kind === 'stop') {
            expect(d.verdict).toBe('allow');
          } else {
            expect(d.verdict).toBe('deny');
            expect(d.action).toBeUndefined();
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("no approved goto's straight path leaves the fence or crosses a no-go zone", () => {
    let approved = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        world,
        fc.double({ min: -200, max: 200, noNaN: true }),
        fc.double({ min: -200, max: 200, noNaN: true }),
        fc.option(fc.double({ min: 0.5, max: 30, noNaN: true }), { nil: undefined }),
        ({ fence, zones, x, y, z, yaw }, tx, ty, speedMps) => {
          const fencePoly = new PreparedPolygon(fence);
          const zonePolys = zones.map((zz) => new PreparedPolygon(zz));
          fc.pre(fencePoly.contains(x, y));
          fc.pre(zonePolys.every((p) => !p.contains(x, y)));
          const guard = createGuard({ guardrails: rails(fence, zones), platform, ignoreRegistered: true });
          const action: Action = {
            kind: 'goto',
            target: { frame: 'local', x: tx, y: ty },
            altitudeM: 40,
            ...(speedMps === undefined ? {} : { speedMps }),
          };
          const d = guard.decide(proposal(action), state({ pose: pose(x, y, yaw, z) }), NOW);
          if (d.verdict === 'deny') {
            refused++;
            return;
          }
          const a = d.action;
          if (a?.kind !== 'goto') {
            // Rules may only tighten a goto into a stop or hold, never into another move.
            expect(['stop', 'hold']).toContain(a?.kind);
            return;
          }
          approved++;
          expect(a.target).toEqual(action.target);
          expect(a.speedMps ?? Infinity).toBeLessThanOrEqual(MAX_LINEAR + 1e-9);
          // Dense samples of the straight path, checked against the polygons point by point (not by the guard's segment test).
          const n = Math.max(200, Math.ceil(Math.hypot(tx - x, ty - y) / 0.25));
          for (let k = 0; k <= n; k++) {
            const px = x + ((tx - x) * k) / n;
            const py = y + ((ty - y) * k) / n;
            expect(fencePoly.contains(px, py) || fencePoly.boundaryDistanceSq(px, py) <= 1e-12).toBe(true);
            for (const zp of zonePolys)
              expect(!zp.contains(px, py) || zp.boundaryDistanceSq(px, py) <= 1e-12).toBe(true);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    // The property is only worth something if both outcomes happen often.
    expect(approved).toBeGreaterThan(RUNS / 10);
    expect(refused).toBeGreaterThan(RUNS / 10);
  });
});
