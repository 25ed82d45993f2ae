import { describe, expect, it } from 'vitest';
import { EStopLatch, estopRule, GuardError } from '../../../../control/index.js';
import { NOW, proposal, state, vel } from '../../fixtures.js';

const authorised = (r: { by: string; token?: string }): boolean => r.token === 'sesame';

describe('estop rule and latch', () => {
  it('allows everything while released', () => {
    const latch = new EStopLatch();
    expect(estopRule(latch).evaluate(vel(1), state(), NOW, proposal(vel(1)))).toEqual({ verdict: 'allow' });
  });

  it('when engaged denies everything but stop, with the cause', () => {
    const latch = new EStopLatch();
    latch.engage('operator/alice pressed the button', NOW);
    const rule = estopRule(latch);
    for (const a of [vel(0), { kind: 'hold' as const }, { kind: 'land' as const }, { kind: 'return_home' as const }]) {
      expect(rule.evaluate(a, state(), NOW, proposal(a))).toMatchObject({
        verdict: 'deny',
        code: 'estop.engaged',
        evidence: { cause: 'operator/alice pressed the button', sinceMs: NOW },
      });
    }
    expect(rule.evaluate({ kind: 'stop' }, state(), NOW, proposal({ kind: 'stop' }))).toEqual({ verdict: 'allow' });
  });

  it('latches: engaging again keeps the first cause; only an authorised reset releases it', () => {
    const latch = new EStopLatch({ authorizeReset: authorised });
    const seen: boolean[] = [];
    latch.onChange((s) => seen.push(s.engaged));
    latch.engage('first', NOW);
    latch.engage('second', NOW + 1);
    expect(latch.status()).toMatchObject({ engaged: true, cause: 'first', sinceMs: NOW });
    latch.reset({ by: 'operator/alice', token: 'sesame' }, NOW + 2);
    expect(latch.engaged).toBe(false);
    expect(seen).toEqual([true, false]);
  });

  it('EXPECTED FAILURE - an unauthorised reset throws GuardError guard.estop_reset_unauthorised and stays engaged', () => {
    const latch = new EStopLatch({ authorizeReset: authorised });
    latch.engage('x', NOW);
    expect(() => latch.reset({ by: 'operator/mallory', token: 'guess' }, NOW)).toThrow(
      expect.objectContaining({ code: 'guard.estop_reset_unauthorised' }),
    );
    expect(latch.engaged).toBe(true);
  });

  it('EXPECTED FAILURE - with no authoriser, no reset is possible', () => {
    const latch = new EStopLatch();
    latch.engage('x', NOW);
    expect(() => latch.reset({ by: 'operator/alice', token: 'sesame' }, NOW)).toThrow(GuardError);
    expect(latch.engaged).toBe(true);
  });

  it('EXPECTED FAILURE - an authoriser that throws authorises nothing', () => {
    const latch = new EStopLatch({
      authorizeReset: () => {
        throw new Error('auth service down');
      },
    });
    latch.engage('x', NOW);
    expect(() => latch.reset({ by: 'operator/alice' }, NOW)).toThrow(GuardError);
    expect(latch.engaged).toBe(true);
  });
});
