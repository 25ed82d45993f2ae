import { describe, expect, it } from 'vitest';
import { confirmationRule, GuardPipeline, MemoryConfirmationStore } from '../../../../control/index.js';
import type { Action } from '../../../../runtime/index.js';
import { NOW, proposal, state } from '../../fixtures.js';

const drop: Action = { kind: 'payload', on: true };

describe('confirmation rule', () => {
  it('denies a confirmable action without a token with confirmation.required', () => {
    const rule = confirmationRule({ kinds: ['payload'], store: new MemoryConfirmationStore() });
    expect(rule.evaluate(drop, state(), NOW, proposal(drop))).toMatchObject({
      verdict: 'deny',
      code: 'confirmation.required',
      evidence: { hasToken: false },
    });
    expect(rule.evaluate({ kind: 'payload', on: false }, state(), NOW, proposal(drop))).toEqual({ verdict: 'allow' });
    expect(rule.evaluate({ kind: 'hold' }, state(), NOW, proposal({ kind: 'hold' }))).toEqual({ verdict: 'allow' });
  });

  it('allows with an accepted token, once', () => {
    const store = new MemoryConfirmationStore();
    store.grant('tok-1', { kind: 'payload', expiresAtMs: NOW + 10_000 });
    const p = new GuardPipeline([confirmationRule({ kinds: ['payload'], store })]);
    expect(p.decide(proposal(drop, { confirmationToken: 'tok-1' }), state(), NOW).verdict).toBe('allow');
    expect(store.size).toBe(0);
    expect(p.decide(proposal(drop, { confirmationToken: 'tok-1' }), state(), NOW)).toMatchObject({
      verdict: 'deny',
      code: 'confirmation.required',
    });
  });

  it('EXPECTED FAILURE - an expired token, or one for another kind or proposal, is refused', () => {
    const store = new MemoryConfirmationStore();
    store.grant('late', { kind: 'payload', expiresAtMs: NOW - 1 });
    store.grant('other', { kind: 'land', expiresAtMs: NOW + 1000 });
    store.grant('mine', { kind: 'payload', proposalId: 'p-elsewhere', expiresAtMs: NOW + 1000 });
    const rule = confirmationRule({ kinds: ['payload'], store });
    for (const token of ['late', 'other', 'mine', 'unknown']) {
      expect(rule.evaluate(drop, state(), NOW, proposal(drop, { confirmationToken: token }))).toMatchObject({
        code: 'confirmation.required',
      });
    }
  });
});
