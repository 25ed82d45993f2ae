import { describe, expect, it } from 'vitest';
import { GuardError, GuardPipeline, rateLimitRule } from '../../../../control/index.js';
import { deny } from '../../../../control/index.js';
import type { Action } from '../../../../runtime/index.js';
import { NOW, proposal, state } from '../../fixtures.js';

const drop: Action = { kind: 'payload', on: true, durationS: 1 };

describe('rate-limit rule', () => {
  it('allows one payload release per interval, counting only approved ones', () => {
    const rule = rateLimitRule({ perSecond: { payload: 0.5 } });
    const p = new GuardPipeline([rule]);
    expect(p.decide(proposal(drop), state(), NOW).verdict).toBe('allow');
    expect(p.decide(proposal(drop), state(), NOW + 1999)).toMatchObject({
      verdict: 'deny',
      code: 'rate.limited',
      evidence: { minIntervalMs: 2000 },
    });
    expect(p.decide(proposal(drop), state(), NOW + 2000).verdict).toBe('allow');
    expect(p.decide(proposal({ kind: 'hold' }), state(), NOW + 2001).verdict).toBe('allow');
  });

  it('a proposal a later rule denied does not use up the slot', () => {
    const rule = rateLimitRule({ perSecond: { payload: 0.5 } });
    new GuardPipeline([rule, { id: 'no', evaluate: () => deny('no', 'no') }]).decide(proposal(drop), state(), NOW);
    expect(new GuardPipeline([rule]).decide(proposal(drop), state(), NOW + 1).verdict).toBe('allow');
  });

  it('BAD CALL - a non-positive rate throws GuardError guard.config_invalid', () => {
    expect(() => rateLimitRule({ perSecond: { payload: 0 } })).toThrow(GuardError);
  });
});
