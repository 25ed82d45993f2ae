import { describe, expect, it } from 'vitest';
import { poseFreshRule } from '../../../../control/index.js';
import type { Action } from '../../../../runtime/index.js';
import { NOW, proposal, state, vel } from '../../fixtures.js';

const rule = poseFreshRule({ staleAfterMs: 2000 });

describe('pose-fresh rule', () => {
  it('allows motion on a fresh pose, including one exactly at the limit', () => {
    expect(rule.evaluate(vel(1), state({ poseStampMs: NOW - 2000 }), NOW, proposal(vel(1)))).toEqual({
      verdict: 'allow',
    });
  });

  it('denies motion and payload on a stale pose with source.stale and the age', () => {
    for (const a of [
      vel(1),
      { kind: 'goto', target: { frame: 'local', x: 1, y: 1 } },
      { kind: 'payload', on: true },
    ] as Action[]) {
      expect(rule.evaluate(a, state({ poseStampMs: NOW - 2001 }), NOW, proposal(a))).toMatchObject({
        verdict: 'deny',
        code: 'source.stale',
        evidence: { source: 'pose', ageMs: 2001, staleAfterMs: 2000 },
      });
    }
  });

  it('denies motion when no pose ever arrived', () => {
    expect(
      rule.evaluate(vel(1), state({ pose: undefined, poseStampMs: undefined }), NOW, proposal(vel(1))),
    ).toMatchObject({
      verdict: 'deny',
      code: 'source.stale',
      reason: 'no pose received yet',
    });
  });

  it('never blocks hold, land, return home or stop', () => {
    for (const kind of ['hold', 'land', 'return_home', 'stop'] as const) {
      expect(rule.evaluate({ kind }, state({ pose: undefined }), NOW, proposal({ kind }))).toEqual({
        verdict: 'allow',
      });
    }
  });

  it('denies a proposal derived from a stale pose even when the guard pose is fresh', () => {
    const p = proposal(vel(1), { basis: { poseStampMs: NOW - 5000 } });
    expect(rule.evaluate(vel(1), state(), NOW, p)).toMatchObject({
      verdict: 'deny',
      code: 'source.stale',
      evidence: { source: 'proposal.basis.pose' },
    });
  });

  it('EXPECTED FAILURE - a NaN pose stamp is stale, not fresh', () => {
    expect(rule.evaluate(vel(1), state({ poseStampMs: NaN }), NOW, proposal(vel(1)))).toMatchObject({
      verdict: 'deny',
      code: 'source.stale',
    });
  });
});
