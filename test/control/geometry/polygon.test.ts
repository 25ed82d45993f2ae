import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuardError, PreparedPolygon } from '../../../control/index.js';
import { square, U_SHAPE } from '../fixtures.js';

describe('PreparedPolygon', () => {
  const sq = new PreparedPolygon(square(10));
  const u = new PreparedPolygon(U_SHAPE);

  it('contains interior points and not exterior ones', () => {
    expect(sq.contains(0, 0)).toBe(true);
    expect(sq.contains(9.99, -9.99)).toBe(true);
    expect(sq.contains(10.01, 0)).toBe(false);
    expect(sq.contains(0, -30)).toBe(false);
  });

  it('counts points on an edge or a vertex as inside', () => {
    expect(sq.contains(10, 0)).toBe(true);
    expect(sq.contains(0, -10)).toBe(true);
    expect(sq.contains(10, 10)).toBe(true);
    expect(sq.contains(-10, -10)).toBe(true);
    expect(u.contains(15, 10)).toBe(true); // bottom of the notch
    expect(u.contains(20, 20)).toBe(true); // notch wall
  });

  it('handles a concave polygon: the notch is outside', () => {
    expect(u.contains(15, 20)).toBe(false);
    expect(u.contains(5, 20)).toBe(true);
    expect(u.contains(25, 20)).toBe(true);
    expect(u.contains(15, 5)).toBe(true);
  });

  it('drops a closing point equal to the first', () => {
    const closed = new PreparedPolygon([...square(1), [-1, -1]]);
    expect(closed.vertexCount).toBe(4);
  });

  it('measures distance to the region and to the boundary', () => {
    expect(sq.distanceTo(0, 0)).toBe(0);
    expect(sq.distanceTo(13, 0)).toBeCloseTo(3, 12);
    expect(sq.distanceTo(13, 14)).toBeCloseTo(5, 12);
    expect(Math.sqrt(sq.boundaryDistanceSq(0, 4))).toBeCloseTo(6, 12);
    const out = new Float64Array(2);
    expect(sq.nearestBoundaryPoint(13, 2, out)).toBeCloseTo(9, 12);
    expect([...out]).toEqual([10, 2]);
  });

  it('finds where a segment first touches the boundary', () => {
    expect(sq.firstBoundaryHit(0, 0, 20, 0)).toBeCloseTo(0.5, 12);
    expect(sq.firstBoundaryHit(-20, 0, 20, 0)).toBeCloseTo(0.25, 12);
    expect(sq.firstBoundaryHit(20, 20, 30, 30)).toBe(Infinity);
    expect(sq.segmentIntersects(0, 0, 1, 1)).toBe(false);
    // Grazing a vertex is a touch.
    expect(sq.segmentIntersects(0, 20, 20, 0)).toBe(true);
  });

  it('says how much of a segment stays inside (exitFraction)', () => {
    expect(sq.exitFraction(0, 0, 5, 5)).toBe(Infinity);
    expect(sq.exitFraction(0, 0, 20, 0)).toBeCloseTo(0.5, 12);
    expect(sq.exitFraction(20, 0, 0, 0)).toBe(-1);
    // Along the fence line is inside.
    expect(sq.exitFraction(10, -10, 10, 10)).toBe(Infinity);
    // From the line outwards leaves at once; inwards never.
    expect(sq.exitFraction(10, 0, 12, 0)).toBe(0);
    expect(sq.exitFraction(10, 0, 8, 0)).toBe(Infinity);
    // A zero-length segment inside stays inside.
    expect(sq.exitFraction(1, 1, 1, 1)).toBe(Infinity);
  });

  it('sees a path across the notch of a concave polygon leave it, though both ends are inside', () => {
    expect(u.contains(5, 20) && u.contains(25, 20)).toBe(true);
    expect(u.exitFraction(5, 20, 25, 20)).toBeCloseTo(0.25, 12);
    // Along the bottom of the notch stays inside.
    expect(u.exitFraction(5, 10, 25, 10)).toBe(Infinity);
  });

  it('BAD CALL - fewer than 3 points throws GuardError geometry.polygon_invalid', () => {
    const call = (): PreparedPolygon =>
      new PreparedPolygon([
        [0, 0],
        [1, 1],
      ]);
    expect(call).toThrow(GuardError);
    expect(call).toThrow(expect.objectContaining({ code: 'geometry.polygon_invalid' }));
  });

  it('BAD CALL - a NaN vertex throws GuardError geometry.polygon_invalid naming the point', () => {
    const call = (): PreparedPolygon =>
      new PreparedPolygon([
        [0, 0],
        [1, NaN],
        [1, 1],
      ]);
    expect(call).toThrow(
      expect.objectContaining({ code: 'geometry.polygon_invalid', message: expect.stringContaining('point 1') }),
    );
  });

  it('exitFraction is exact: points before it are inside (property, star-shaped concave polygons)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 5, max: 50, noNaN: true }), { minLength: 3, maxLength: 24 }),
        fc.double({ min: -1.5, max: 1.5, noNaN: true }),
        fc.double({ min: -1.5, max: 1.5, noNaN: true }),
        fc.double({ min: -120, max: 120, noNaN: true }),
        fc.double({ min: -120, max: 120, noNaN: true }),
        (radii, x0, y0, x1, y1) => {
          const ring = radii.map((r, i): [number, number] => {
            const a = (2 * Math.PI * i) / radii.length;
            return [r * Math.cos(a), r * Math.sin(a)];
          });
          const poly = new PreparedPolygon(ring);
          const f = poly.exitFraction(x0, y0, x1, y1);
          expect(f).not.toBe(-1); // star-shaped around the origin: small starts are inside
          const end = f === Infinity ? 1 : f;
          for (let k = 0; k <= 50; k++) {
            const t = (end * k) / 50;
            const px = x0 + t * (x1 - x0);
            const py = y0 + t * (y1 - y0);
            // The sample at the exit itself sits on the boundary, up to rounding of t.
            expect(poly.contains(px, py) || poly.boundaryDistanceSq(px, py) < 1e-18).toBe(true);
          }
          if (f !== Infinity) {
            // Just past the exit is outside.
            const t = Math.min(1, f + 1e-6);
            const px = x0 + t * (x1 - x0);
            const py = y0 + t * (y1 - y0);
            expect(poly.contains(px, py) && Math.sqrt(poly.boundaryDistanceSq(px, py)) > 1e-6).toBe(false);
          }
        },
      ),
      { seed: 20260101, numRuns: 300 },
    );
  });
});
