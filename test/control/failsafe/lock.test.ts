import { describe, expect, it } from 'vitest';
import { FailsafeMonitor, failsafeLockRule } from '../../../control/index.js';
import { guardrails, NOW, proposal, state, vel } from '../fixtures.js';

describe('failsafe-lock rule', () => {
  const monitor = new FailsafeMonitor({
    guardrails: guardrails({ battery: { returnHomePct: 30, landPct: 15 } }),
    startedAtMs: NOW,
  });
  const rule = failsafeLockRule(monitor);

  it('lets everything through while no failsafe is in charge', () => {
    expect(rule.evaluate(vel(1), state(), NOW, proposal(vel(1)))).toEqual({ verdict: 'allow' });
  });

  it('while one is, denies behaviors weaker actions but not operators, the failsafe, or stronger actions', () => {
    monitor.update(state({ battery: { frameId: 'b', percent: 20, voltageV: 1, currentA: 1 } }), false, NOW);
    expect(rule.evaluate(vel(1), state(), NOW, proposal(vel(1)))).toMatchObject({
      verdict: 'deny',
      code: 'failsafe.active',
      evidence: { cause: 'battery_low' },
    });
    expect(rule.evaluate(vel(1), state(), NOW, proposal(vel(1), { source: 'operator/alice' }))).toEqual({
      verdict: 'allow',
    });
    expect(
      rule.evaluate(
        { kind: 'return_home' },
        state(),
        NOW,
        proposal({ kind: 'return_home' }, { source: 'failsafe/battery_low' }),
      ),
    ).toEqual({ verdict: 'allow' });
    expect(rule.evaluate({ kind: 'land' }, state(), NOW, proposal({ kind: 'land' }))).toEqual({ verdict: 'allow' });
    expect(rule.evaluate({ kind: 'hold' }, state(), NOW, proposal({ kind: 'hold' }))).toMatchObject({
      verdict: 'deny',
    });
  });
});
