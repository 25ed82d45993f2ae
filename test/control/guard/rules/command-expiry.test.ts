import { describe, expect, it } from 'vitest';
import { commandExpiryRule } from '../../../../control/index.js';
import { NOW, proposal, state, vel } from '../../fixtures.js';

describe('command-expiry rule', () => {
  const rule = commandExpiryRule({ ttlMs: 500 });
  it('allows a proposal within its time to live', () => {
    expect(rule.evaluate(vel(1), state(), NOW, proposal(vel(1), { proposedAtMs: NOW - 500 }))).toEqual({
      verdict: 'allow',
    });
  });
  it('never executes an expired proposal', () => {
    expect(rule.evaluate(vel(1), state(), NOW, proposal(vel(1), { proposedAtMs: NOW - 501 }))).toMatchObject({
      verdict: 'deny',
      code: 'proposal.expired',
      evidence: { ageMs: 501, ttlMs: 500 },
    });
  });
  it('EXPECTED FAILURE - a far-future or NaN stamp is refused', () => {
    expect(rule.evaluate(vel(1), state(), NOW, proposal(vel(1), { proposedAtMs: NOW + 10_000 }))).toMatchObject({
      code: 'proposal.expired',
    });
    expect(rule.evaluate(vel(1), state(), NOW, proposal(vel(1), { proposedAtMs: NaN }))).toMatchObject({
      code: 'proposal.expired',
    });
  });
});
