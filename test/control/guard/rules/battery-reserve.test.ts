import { describe, expect, it } from 'vitest';
import { batteryReserveRule } from '../../../../control/index.js';
import type { Action } from '../../../../runtime/index.js';
import { NOW, proposal, state, vel } from '../../fixtures.js';

const rule = batteryReserveRule({ returnHomePct: 30, landPct: 15 });
const at = (percent: number, stampMs = NOW - 100) =>
  state({ battery: { frameId: 'bat', percent, voltageV: 22, currentA: 10 }, batteryStampMs: stampMs });
const decide = (action: Action, s = at(80)) => rule.evaluate(action, s, NOW, proposal(action));

describe('battery-reserve rule', () => {
  it('allows everything above the reserve', () => {
    expect(decide(vel(5))).toEqual({ verdict: 'allow' });
  });

  it('at the reserve allows only return home, land, hold, stop and gimbal', () => {
    expect(decide(vel(5), at(30))).toMatchObject({ verdict: 'deny', code: 'battery.reserve' });
    expect(decide({ kind: 'payload', on: true }, at(25))).toMatchObject({ verdict: 'deny', code: 'battery.reserve' });
    for (const kind of ['return_home', 'land', 'hold', 'stop'] as const)
      expect(decide({ kind }, at(25))).toEqual({ verdict: 'allow' });
  });

  it('at the critical level refuses even return home', () => {
    expect(decide({ kind: 'return_home' }, at(15))).toMatchObject({ verdict: 'deny', code: 'battery.critical' });
    expect(decide({ kind: 'land' }, at(5))).toEqual({ verdict: 'allow' });
  });

  it('EXPECTED FAILURE - no, a stale or a NaN reading denies outbound actions', () => {
    expect(decide(vel(1), state())).toMatchObject({ verdict: 'deny', code: 'source.stale' });
    expect(decide(vel(1), at(80, NOW - 60_000))).toMatchObject({ verdict: 'deny', code: 'source.stale' });
    expect(decide(vel(1), at(NaN))).toMatchObject({ verdict: 'deny', code: 'battery.invalid' });
    expect(decide({ kind: 'return_home' }, state())).toEqual({ verdict: 'allow' });
  });
});
