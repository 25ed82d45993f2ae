import { describe, expect, it } from 'vitest';
import { convertNavSatFix } from '../../../../hardware/index.js';
import { navSatFixMsg } from '../../fixtures/ros-messages.js';

const NS = 1_700_000_000_000_000_000n;

describe('convertNavSatFix', () => {
  it('converts a fix with its status and covariance', () => {
    const c = convertNavSatFix(navSatFixMsg(NS, { status: 2, lat: 47.3977, lon: 8.5456, alt: 488.2 }));
    if (!c.ok) throw new Error(c.reason);
    expect(c.message).toEqual({
      frameId: 'gps',
      status: 2,
      latDeg: 47.3977,
      lonDeg: 8.5456,
      altM: 488.2,
      positionCovariance: [2.5, 0, 0, 0, 2.5, 0, 0, 0, 2.5],
    });
    expect(c.stampMs).toBe(1_700_000_000_000);
  });

  it('EXPECTED FAILURE - NO_FIX with NaN latitude is rejected as no fix, never converted', () => {
    expect(convertNavSatFix(navSatFixMsg(NS, { status: -1, lat: NaN, lon: NaN, alt: NaN }))).toEqual({
      ok: false,
      code: 'gnss.no_fix',
      reason: 'status -1 (NO_FIX)',
    });
    expect(convertNavSatFix(navSatFixMsg(NS, { status: -2, lat: 1, lon: 1, alt: 1 }))).toMatchObject({
      code: 'gnss.no_fix',
    });
  });

  it('EXPECTED FAILURE - a claimed fix with a NaN or off-globe position is rejected', () => {
    expect(convertNavSatFix(navSatFixMsg(NS, { status: 0, lat: NaN, lon: 8, alt: 400 }))).toMatchObject({
      ok: false,
      code: 'gnss.nan_position',
    });
    expect(convertNavSatFix(navSatFixMsg(NS, { status: 0, lat: 47, lon: 8, alt: Infinity }))).toMatchObject({
      code: 'gnss.nan_position',
    });
    expect(convertNavSatFix(navSatFixMsg(NS, { status: 0, lat: 91, lon: 8, alt: 1 }))).toMatchObject({
      code: 'gnss.out_of_range',
    });
  });
});
