import { describe, expect, it } from 'vitest';
import { compareForPromotion } from '../../../fieldloop/registry/compare.js';
import type { ClassMetrics, EvalMetrics } from '../../../perception/index.js';

function metrics(ap: Record<string, number | null>): EvalMetrics {
  const classes: ClassMetrics[] = Object.entries(ap).map(([className, v], classId) => ({
    classId,
    className,
    objects: v === null ? 0 : 10,
    detections: 10,
    precision: v,
    recall: v,
    ap50: v,
    ap75: v,
    ap50to95: v,
  }));
  const scored = classes.filter((c) => c.ap50 !== null).map((c) => c.ap50 as number);
  const mean = scored.length === 0 ? null : scored.reduce((a, b) => a + b, 0) / scored.length;
  return { classes, map50: mean, map50to95: mean, precision: mean, recall: mean, images: 10 };
}

describe('compareForPromotion', () => {
  it('promotes a strict winner whose classes all hold within the tolerance', () => {
    const c = compareForPromotion(metrics({ fire: 0.9, smoke: 0.79 }), metrics({ fire: 0.8, smoke: 0.8 }), {
      metric: 'map50',
      tolerance: 0.02,
    });
    expect(c).toMatchObject({ beats: true, promote: true, regressions: [] });
    expect(c.classes[1]).toMatchObject({ className: 'smoke', regressed: false });
    expect(c.classes[1]!.delta).toBeCloseTo(-0.01, 12);
  });

  it('EXPECTED FAILURE - a tie is not a win; a win that drops a class past the tolerance is refused', () => {
    const tie = compareForPromotion(metrics({ fire: 0.8 }), metrics({ fire: 0.8 }), { metric: 'map50', tolerance: 0 });
    expect(tie).toMatchObject({ beats: false, promote: false });
    const regress = compareForPromotion(metrics({ fire: 1, smoke: 0.7 }), metrics({ fire: 0.5, smoke: 0.75 }), {
      metric: 'map50',
      tolerance: 0.02,
    });
    expect(regress).toMatchObject({ beats: true, promote: false, regressions: ['smoke'] });
    // Exactly at the tolerance is allowed (float noise does not decide it).
    const edge = compareForPromotion(metrics({ fire: 1, smoke: 0.73 }), metrics({ fire: 0.5, smoke: 0.75 }), {
      metric: 'map50',
      tolerance: 0.02,
    });
    expect(edge.promote).toBe(true);
  });

  it('minGain demands a margin; classes without objects are skipped', () => {
    const c = compareForPromotion(metrics({ fire: 0.82, empty: null }), metrics({ fire: 0.8, empty: null }), {
      metric: 'map50',
      tolerance: 0.02,
      minGain: 0.05,
    });
    expect(c).toMatchObject({ beats: false, regressions: [] });
    expect(c.reason).toMatch(/needs more than \+0\.05/);
  });
});
