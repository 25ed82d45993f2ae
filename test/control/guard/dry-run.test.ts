import { describe, expect, it } from 'vitest';
import { createGuard, dryRunActions } from '../../../control/index.js';
import type { Action } from '../../../runtime/index.js';
import { gotoLocal, guardrails, NOW, pose, proposal, square, state } from '../fixtures.js';

const rails = guardrails({
  geofence: [square(100)],
  noGo: [{ name: 'village', polygon: square(10, 50, 50) }],
  altitude: { minM: 10, maxM: 80 },
  speed: { maxLinearMps: 10 },
  battery: { returnHomePct: 30, landPct: 15 },
  rateLimits: { payload: 0.5 },
});
const battery = { frameId: 'b', percent: 50, voltageV: 22, currentA: 3 };
const here = state({ pose: pose(0, 0, 0, 40), battery, batteryStampMs: NOW });

describe('dryRunActions', () => {
  it('decides each action like the guard would, with every rule verdict, and spends nothing', () => {
    const payload: Action = { kind: 'payload', on: true, durationS: 1 };
    const r = dryRunActions({ guardrails: rails }, here, [payload, payload, gotoLocal(50, 50, { altitudeM: 40 })], NOW);
    // A live guard would rate-limit the second payload; a dry run judges each alone.
    expect(r.map((x) => x.decision.verdict)).toEqual(['allow', 'allow', 'deny']);
    expect(r[2]!.decision).toMatchObject({ ruleId: 'no-go', source: 'tasking/dry-run', proposalId: 'dry-run-3' });
    expect(r[2]!.rules?.map((t) => t.ruleId)).toContain('no-go');
    const live = createGuard({ guardrails: rails });
    expect(live.decide(proposal(payload), here, NOW).verdict).toBe('allow');
    expect(live.decide(proposal(payload), here, NOW).verdict).toBe('deny');
  });

  it('explains every guardrail a plan runs into, not only the first', () => {
    // Too high and into the village: the decision names the first rule, the trace both.
    const [r] = dryRunActions({ guardrails: rails }, here, [gotoLocal(50, 50, { altitudeM: 120, speedMps: 5 })], NOW);
    expect(r!.decision.verdict).toBe('deny');
    const denied = r!.rules!.filter((t) => t.verdict === 'deny').map((t) => t.ruleId);
    expect(denied).toEqual(expect.arrayContaining(['altitude-band', 'no-go']));
  });

  it('route: each goto is judged from the previous target', () => {
    const legs = [gotoLocal(80, 40, { altitudeM: 40 }), gotoLocal(20, 60, { altitudeM: 40 })];
    const apart = dryRunActions({ guardrails: rails }, here, legs, NOW);
    const route = dryRunActions({ guardrails: rails, route: true }, here, legs, NOW);
    expect(apart.map((x) => x.decision.verdict)).toEqual(['modify', 'modify']);
    expect(route.map((x) => x.decision.verdict)).toEqual(['modify', 'deny']);
    expect(route[1]!.decision.ruleId).toBe('no-go');
  });

  it('returnHomePct: a raised threshold applies, one under the mission is ignored', () => {
    const out = gotoLocal(10, 0, { altitudeM: 40, speedMps: 5 });
    expect(dryRunActions({ guardrails: rails, returnHomePct: 60 }, here, [out], NOW)[0]!.decision).toMatchObject({
      verdict: 'deny',
      code: 'battery.reserve',
    });
    const low = state({ pose: pose(0, 0, 0, 40), battery: { ...battery, percent: 25 }, batteryStampMs: NOW });
    expect(dryRunActions({ guardrails: rails, returnHomePct: 10 }, low, [out], NOW)[0]!.decision.code).toBe(
      'battery.reserve',
    );
  });
});
