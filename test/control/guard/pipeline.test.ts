import { describe, expect, it } from 'vitest';
import { ALLOW, deny, GuardError, GuardPipeline, modify, STOP } from '../../../control/index.js';
import type { GuardRule } from '../../../control/index.js';
import { NOW, proposal, state, vel } from '../fixtures.js';

/** A rule that records that it ran, then returns `result`. */
function recording(id: string, calls: string[], evaluate: GuardRule['evaluate'] = () => ALLOW): GuardRule {
  return {
    id,
    evaluate: (...args) => {
      calls.push(id);
      return evaluate(...args);
    },
  };
}

const throwing: GuardRule = {
  id: 'boom',
  evaluate: () => {
    throw new Error('kaput');
  },
};

describe('GuardPipeline', () => {
  it('allows when every rule allows, naming the pipeline and the rules evaluated', () => {
    const calls: string[] = [];
    const p = new GuardPipeline([recording('a', calls), recording('b', calls)]);
    const prop = proposal(vel(1));
    const d = p.decide(prop, state(), NOW);
    expect(d).toMatchObject({
      proposalId: prop.id,
      source: 'behavior/test',
      verdict: 'allow',
      action: prop.action,
      requested: prop.action,
      ruleId: 'guard',
      code: 'allow',
      decidedAtMs: NOW,
      evidence: { rulesEvaluated: ['a', 'b'] },
    });
    expect(calls).toEqual(['a', 'b']);
  });

  it('stops at the first deny and records its rule, code, reason and evidence', () => {
    const calls: string[] = [];
    const p = new GuardPipeline([
      recording('a', calls),
      recording('b', calls, () => deny('b.no', 'b says no', { why: 42 })),
      recording('c', calls),
    ]);
    const d = p.decide(proposal(vel(1)), state(), NOW);
    expect(d).toMatchObject({
      verdict: 'deny',
      ruleId: 'b',
      code: 'b.no',
      reason: 'b says no',
      evidence: { why: 42, rulesEvaluated: ['a', 'b'] },
    });
    expect(d.action).toBeUndefined();
    expect(calls).toEqual(['a', 'b']);
  });

  it('chains modifications: each rule sees the last one, and the decision names the last modifier', () => {
    const seen: number[] = [];
    const half: GuardRule['evaluate'] = (a) =>
      a.kind === 'velocity' ? modify(vel(a.linearMps.x / 2), 'half', 'halved', { from: a.linearMps.x }) : ALLOW;
    const p = new GuardPipeline([
      { id: 'h1', evaluate: half },
      { id: 'look', evaluate: (a) => (a.kind === 'velocity' && seen.push(a.linearMps.x) > 0 ? ALLOW : ALLOW) },
      { id: 'h2', evaluate: half },
    ]);
    const d = p.decide(proposal(vel(8)), state(), NOW);
    expect(seen).toEqual([4]);
    expect(d).toMatchObject({
      verdict: 'modify',
      ruleId: 'h2',
      code: 'half',
      action: vel(2),
      requested: vel(8),
      evidence: { from: 4 },
    });
  });

  it('EXPECTED FAILURE - a rule that throws denies with rule.error (fail closed)', () => {
    const p = new GuardPipeline([throwing]);
    const d = p.decide(proposal(vel(1)), state(), NOW);
    expect(d).toMatchObject({ verdict: 'deny', ruleId: 'boom', code: 'rule.error' });
    expect(d.reason).toContain('kaput');
  });

  it('EXPECTED FAILURE - a rule that throws a non-Error still denies', () => {
    const p = new GuardPipeline([
      {
        id: 'odd',
        evaluate: () => {
          // A value with no toString at all, as a careless plugin might throw.
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          throw Object.create(null) as object;
        },
      },
    ]);
    expect(p.decide(proposal(vel(1)), state(), NOW)).toMatchObject({
      verdict: 'deny',
      code: 'rule.error',
      ruleId: 'odd',
    });
  });

  it('EXPECTED FAILURE - a rule returning a NaN-bearing action denies with rule.error', () => {
    const p = new GuardPipeline([{ id: 'nan', evaluate: () => modify(vel(NaN), 'x', 'y') }]);
    const d = p.decide(proposal(vel(1)), state(), NOW);
    expect(d).toMatchObject({ verdict: 'deny', ruleId: 'nan', code: 'rule.error' });
    expect(d.reason).toContain('linearMps.x');
  });

  it('EXPECTED FAILURE - a rule returning no verdict denies with rule.error', () => {
    const p = new GuardPipeline([
      { id: 'void', evaluate: () => undefined as unknown as ReturnType<GuardRule['evaluate']> },
    ]);
    expect(p.decide(proposal(vel(1)), state(), NOW)).toMatchObject({
      verdict: 'deny',
      code: 'rule.error',
      ruleId: 'void',
    });
  });

  it('EXPECTED FAILURE - a modification that loosens is refused with rule.loosened', () => {
    const p = new GuardPipeline([
      {
        id: 'half',
        evaluate: (a) => (a.kind === 'velocity' && a.linearMps.x > 1 ? modify(vel(1), 'half', 'h') : ALLOW),
      },
      { id: 'faster', evaluate: () => modify(vel(5), 'faster', 'f') },
    ]);
    expect(p.decide(proposal(vel(3)), state(), NOW)).toMatchObject({
      verdict: 'deny',
      ruleId: 'faster',
      code: 'rule.loosened',
    });
  });

  it('EXPECTED FAILURE - a rule may not turn a hold into a velocity', () => {
    const p = new GuardPipeline([{ id: 'swap', evaluate: () => modify(vel(0), 'swap', 's') }]);
    expect(p.decide(proposal({ kind: 'hold' }), state(), NOW)).toMatchObject({
      verdict: 'deny',
      code: 'rule.loosened',
    });
  });

  it('denies NaN in the requested action before any rule runs, naming the field', () => {
    const calls: string[] = [];
    const p = new GuardPipeline([recording('a', calls)]);
    const d = p.decide(proposal(vel(1, 0, 0, Infinity)), state(), NOW);
    expect(d).toMatchObject({
      verdict: 'deny',
      ruleId: 'guard',
      code: 'action.not_finite',
      evidence: { field: 'yawRateRps' },
    });
    expect(calls).toEqual([]);
  });

  it('always allows stop, even with a throwing rule', () => {
    const d = new GuardPipeline([throwing]).decide(proposal(STOP), state(), NOW);
    expect(d).toMatchObject({ verdict: 'allow', code: 'stop.always_allowed', action: STOP });
  });

  it('a modification to stop ends the pipeline', () => {
    const calls: string[] = [];
    const p = new GuardPipeline([
      { id: 's', evaluate: () => modify(STOP, 's.stop', 'stop') },
      recording('after', calls),
    ]);
    expect(p.decide(proposal(vel(1)), state(), NOW)).toMatchObject({ verdict: 'modify', action: STOP, ruleId: 's' });
    expect(calls).toEqual([]);
  });

  it('commits only approved actions, with the final action', () => {
    const committed: unknown[] = [];
    const committer: GuardRule = { id: 'c', evaluate: () => ALLOW, commit: (a) => committed.push(a) };
    const half: GuardRule = { id: 'h', evaluate: () => modify(vel(1), 'h', 'h') };
    new GuardPipeline([committer, half]).decide(proposal(vel(2)), state(), NOW);
    new GuardPipeline([committer, { id: 'no', evaluate: () => deny('no', 'no') }]).decide(
      proposal(vel(2)),
      state(),
      NOW,
    );
    expect(committed).toEqual([vel(1)]);
  });

  it('EXPECTED FAILURE - a commit that throws turns the decision into a deny', () => {
    const p = new GuardPipeline([
      {
        id: 'c',
        evaluate: () => ALLOW,
        commit: () => {
          throw new Error('disk full');
        },
      },
    ]);
    expect(p.decide(proposal(vel(1)), state(), NOW)).toMatchObject({
      verdict: 'deny',
      code: 'rule.error',
      ruleId: 'c',
    });
  });

  it('carries the proposal basis into the decision', () => {
    const d = new GuardPipeline([]).decide(proposal(vel(1), { basis: { frameStampMs: 5 } }), state(), NOW);
    expect(d.basis).toEqual({ frameStampMs: 5 });
  });

  it('BAD CALL - two rules with one id throw GuardError guard.duplicate_rule', () => {
    const call = (): GuardPipeline => new GuardPipeline([throwing, throwing]);
    expect(call).toThrow(GuardError);
    expect(call).toThrow(expect.objectContaining({ code: 'guard.duplicate_rule' }));
  });
});
