import { afterEach, describe, expect, it } from 'vitest';
import { ALLOW, createGuard, deny, GuardError, GuardPipeline, registerGuardRule } from '../../../control/index.js';
import type { GuardRule } from '../../../control/index.js';
import type { Platform } from '../../../missions/index.js';
import type { Action } from '../../../runtime/index.js';
import { guardrails, NOW, pose, proposal, state, vel } from '../fixtures.js';

const drone: Platform = {
  kind: 'multirotor',
  id: 'd1',
  maxSpeedMps: 15,
  maxClimbMps: 3,
  maxYawRateDps: 90,
  maxAccelMps2: 4,
};
const full = guardrails({
  geofence: [
    [
      [-100, -100],
      [100, -100],
      [100, 100],
      [-100, 100],
    ],
  ],
  noGo: [
    {
      name: 'village',
      polygon: [
        [50, 50],
        [90, 50],
        [90, 90],
        [50, 90],
      ],
    },
  ],
  altitude: { minM: 0, maxM: 80 },
  speed: { maxLinearMps: 12 },
  standoff: [{ class: 'person', stopM: 30 }],
  battery: { returnHomePct: 30, landPct: 15 },
  staleSensor: { afterMs: 2000, action: 'hold' },
  requireConfirmation: ['payload'],
  rateLimits: { payload: 0.5 },
});

let unregister: (() => void) | undefined;
afterEach(() => {
  unregister?.();
  unregister = undefined;
});

describe('createGuard', () => {
  it('builds the built-in rules in their fixed order, e-stop first', () => {
    const g = createGuard({ guardrails: full, platform: drone, obstacle: {} });
    expect(g.rules.map((r) => r.id)).toEqual([
      'estop',
      'action-sanity',
      'command-expiry',
      'pose-fresh',
      'battery-reserve',
      'confirmation',
      'rate-limit',
      'speed-limits',
      'altitude-band',
      'geofence',
      'no-go',
      'standoff',
      'obstacle',
    ]);
  });

  it('leaves out rules the mission does not configure', () => {
    expect(createGuard({ guardrails: guardrails() }).rules.map((r) => r.id)).toEqual([
      'estop',
      'action-sanity',
      'command-expiry',
      'pose-fresh',
    ]);
  });

  it('takes the tighter of mission and platform speed limits', () => {
    const g = createGuard({ guardrails: guardrails({ speed: { maxLinearMps: 20 } }), platform: drone });
    const d = g.decide(proposal(vel(0, 0, 10, 10)), state(), NOW);
    expect(d).toMatchObject({ verdict: 'modify', ruleId: 'speed-limits' });
    if (d.action?.kind !== 'velocity') throw new Error('expected velocity');
    expect(d.action.linearMps.z).toBe(3);
    expect(d.action.yawRateRps).toBeCloseTo(Math.PI / 2, 12);
  });

  it('appends integrator rules after the built-in ones, then registered ones before given ones', () => {
    const mine: GuardRule = {
      id: 'acme.no_reverse',
      evaluate: (a) => (a.kind === 'velocity' && a.linearMps.x < 0 ? deny('acme.reverse', 'no') : ALLOW),
    };
    unregister = registerGuardRule('acme.registered', () => ({ id: 'acme.registered', evaluate: () => ALLOW }));
    const g = createGuard({ guardrails: guardrails(), rules: [mine] });
    expect(g.rules.map((r) => r.id).slice(-2)).toEqual(['acme.registered', 'acme.no_reverse']);
    expect(g.decide(proposal(vel(-1)), state(), NOW)).toMatchObject({
      verdict: 'deny',
      ruleId: 'acme.no_reverse',
      code: 'acme.reverse',
    });
    expect(createGuard({ guardrails: guardrails(), ignoreRegistered: true }).rules.map((r) => r.id)).not.toContain(
      'acme.registered',
    );
  });

  it('BAD CALL - registering one id twice throws GuardError guard.duplicate_rule', () => {
    unregister = registerGuardRule('acme.twice', () => ({ id: 'acme.twice', evaluate: () => ALLOW }));
    expect(() => registerGuardRule('acme.twice', () => ({ id: 'acme.twice', evaluate: () => ALLOW }))).toThrow(
      expect.objectContaining({ code: 'guard.duplicate_rule' }),
    );
  });

  it('converts geographic fences with the mission origin', () => {
    const origin = { lat: 38.8977, lon: -121.0335, altM: 420 };
    const dLat = 0.0009; // ≈ 100 m
    const dLon = 0.00115; // ≈ 100 m at this latitude
    const geo = guardrails({
      geofence: [
        [
          { lat: origin.lat - dLat, lon: origin.lon - dLon },
          { lat: origin.lat - dLat, lon: origin.lon + dLon },
          { lat: origin.lat + dLat, lon: origin.lon + dLon },
          { lat: origin.lat + dLat, lon: origin.lon - dLon },
        ],
      ],
    });
    const g = createGuard({ guardrails: geo, origin });
    expect(g.decide(proposal(vel(5)), state(), NOW).verdict).toBe('allow');
    expect(g.decide(proposal(vel(5)), state({ pose: pose(90, 0) }), NOW)).toMatchObject({
      verdict: 'modify',
      ruleId: 'geofence',
    });
  });

  it('EXPECTED FAILURE - a geographic fence without an origin throws GuardError guard.geo_without_origin', () => {
    const geo = guardrails({
      geofence: [
        [
          { lat: 1, lon: 1 },
          { lat: 1, lon: 2 },
          { lat: 2, lon: 2 },
        ],
      ],
    });
    expect(() => createGuard({ guardrails: geo })).toThrow(GuardError);
    expect(() => createGuard({ guardrails: geo })).toThrow(
      expect.objectContaining({ code: 'guard.geo_without_origin' }),
    );
  });

  it('a fixed site denies motion with platform.fixed', () => {
    const g = createGuard({ guardrails: guardrails(), platform: { kind: 'fixed_site', id: 'mast', maxSpeedMps: 0 } });
    expect(g.decide(proposal(vel(1)), state(), NOW)).toMatchObject({ verdict: 'deny', code: 'platform.fixed' });
    expect(g.decide(proposal({ kind: 'gimbal', pitchDeg: 0, yawDeg: 10 }), state(), NOW).verdict).toBe('allow');
  });

  it('e-stop wins over every other rule, and only stop passes', () => {
    const g = createGuard({
      guardrails: full,
      platform: drone,
      rules: [
        {
          id: 'boom',
          evaluate: () => {
            throw new Error('x');
          },
        },
      ],
    });
    g.estop.engage('test', NOW);
    expect(g.decide(proposal(vel(1)), state(), NOW)).toMatchObject({
      verdict: 'deny',
      ruleId: 'estop',
      code: 'estop.engaged',
    });
    expect(g.decide(proposal({ kind: 'stop' }), state(), NOW).verdict).toBe('allow');
  });
});

/**
 * Inventory: one test per built-in rule. Each rule, in a guard of its own,
 * denies an action with NaN in any numeric field and says which field.
 */
describe('inventory: every built-in rule denies NaN', () => {
  const ids = createGuard({ guardrails: full, platform: drone, obstacle: {} }).rules.map((r) => r.id);
  const nanActions: [string, Action][] = [
    ['linearMps.x', vel(NaN)],
    ['linearMps.y', vel(0, NaN)],
    ['linearMps.z', vel(0, 0, NaN)],
    ['yawRateRps', vel(0, 0, 0, NaN)],
    ['target.x', { kind: 'goto', target: { frame: 'local', x: NaN, y: 0 } }],
    ['altitudeM', { kind: 'goto', target: { frame: 'local', x: 0, y: 0 }, altitudeM: NaN }],
    ['durationS', { kind: 'payload', on: true, durationS: NaN }],
    ['pitchDeg', { kind: 'gimbal', pitchDeg: NaN, yawDeg: 0 }],
  ];
  for (const id of ids) {
    it(`${id} denies NaN in every field`, () => {
      const only = createGuard({ guardrails: full, platform: drone, obstacle: {} }).rules.find((r) => r.id === id);
      if (only === undefined) throw new Error(`no rule ${id}`);
      const pipeline = new GuardPipeline([only]);
      for (const [field, action] of nanActions) {
        const d = pipeline.decide(proposal(action), state(), NOW);
        expect(d.verdict, `${id} on ${field}`).toBe('deny');
        expect(d.code).toBe('action.not_finite');
        expect(d.evidence).toMatchObject({ field });
      }
    });
  }
});
