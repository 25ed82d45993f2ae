import { describe, expect, it } from 'vitest';
import { actionSanityRule } from '../../../../control/index.js';
import type { Action } from '../../../../runtime/index.js';
import { NOW, proposal, state, vel } from '../../fixtures.js';

const rule = actionSanityRule({ customActions: ['acme.siren'] });
const decide = (a: Action) => rule.evaluate(a, state(), NOW, proposal(a));

describe('action-sanity rule', () => {
  it('allows sound actions of every kind', () => {
    const sound: Action[] = [
      vel(-1, 0, 0, 0),
      { kind: 'goto', target: { frame: 'geo', lat: 38.9, lon: -121 }, altitudeM: 40, speedMps: 5 },
      { kind: 'hold' },
      { kind: 'payload', on: true, durationS: 2 },
      { kind: 'gimbal', pitchDeg: -90, yawDeg: 0 },
      { kind: 'custom', name: 'acme.siren', params: {} },
    ];
    for (const a of sound) expect(decide(a)).toEqual({ verdict: 'allow' });
  });

  it('denies NaN and infinities, naming the field', () => {
    expect(decide(vel(NaN))).toMatchObject({
      verdict: 'deny',
      code: 'action.not_finite',
      evidence: { field: 'linearMps.x' },
    });
    expect(decide(vel(0, 0, -Infinity))).toMatchObject({ evidence: { field: 'linearMps.z' } });
    expect(decide({ kind: 'goto', target: { frame: 'local', x: 0, y: NaN } })).toMatchObject({
      evidence: { field: 'target.y' },
    });
    expect(decide({ kind: 'gimbal', pitchDeg: 0, yawDeg: NaN })).toMatchObject({ evidence: { field: 'yawDeg' } });
  });

  it('denies zero and negative goto speeds and payload durations', () => {
    expect(decide({ kind: 'goto', target: { frame: 'local', x: 0, y: 0 }, speedMps: 0 })).toMatchObject({
      code: 'action.out_of_range',
      evidence: { field: 'speedMps' },
    });
    expect(decide({ kind: 'goto', target: { frame: 'local', x: 0, y: 0 }, speedMps: -3 })).toMatchObject({
      code: 'action.out_of_range',
    });
    expect(decide({ kind: 'payload', on: true, durationS: -1 })).toMatchObject({
      code: 'action.out_of_range',
      evidence: { field: 'durationS' },
    });
  });

  it('denies unknown kinds and unregistered custom actions', () => {
    expect(decide({ kind: 'teleport' } as unknown as Action)).toMatchObject({ code: 'action.unknown_kind' });
    expect(decide({ kind: 'custom', name: 'acme.laser', params: {} })).toMatchObject({ code: 'action.unregistered' });
  });

  it('EXPECTED FAILURE - latitude out of range is denied', () => {
    expect(decide({ kind: 'goto', target: { frame: 'geo', lat: 91, lon: 0 } })).toMatchObject({
      code: 'action.out_of_range',
      evidence: { field: 'target.lat' },
    });
  });
});
