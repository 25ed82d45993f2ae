import { describe, expect, it } from 'vitest';
import { ReturnHomeThreshold, boundReturnHomePct } from '../../../control/index.js';

describe('return-home threshold under retask', () => {
  it('may be raised and lowered back, never below the mission file', () => {
    const t = new ReturnHomeThreshold(30);
    expect(t.request(45)).toMatchObject({ accepted: true, code: 'retask.return_home_raised', returnHomePct: 45 });
    expect(t.pct).toBe(45);
    expect(t.request(35)).toMatchObject({ accepted: true, code: 'retask.return_home_lowered', returnHomePct: 35 });
    expect(t.request(35)).toMatchObject({ accepted: true, code: 'retask.return_home_unchanged' });
    expect(t.request(30)).toMatchObject({ accepted: true, returnHomePct: 30 });
  });

  it('EXPECTED FAILURE - a value under the mission is refused with a reason and changes nothing', () => {
    const t = new ReturnHomeThreshold(30);
    t.request(40);
    const r = t.request(29.9);
    expect(r).toMatchObject({ accepted: false, code: 'retask.return_home_below_mission', returnHomePct: 40 });
    expect(r.reason).toContain("below the mission's 30 %");
    expect(t.pct).toBe(40);
  });

  it('EXPECTED FAILURE - NaN, negative or over 100 is refused', () => {
    for (const v of [Number.NaN, -1, 101, Infinity]) {
      expect(boundReturnHomePct({ missionPct: 30, currentPct: 30 }, v), String(v)).toMatchObject({
        accepted: false,
        code: 'retask.return_home_invalid',
        returnHomePct: 30,
      });
    }
  });
});
