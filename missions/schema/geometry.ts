import { z } from 'zod';

/**
 * Geometry in mission files. Local points are `[x, y]` metres in the mission's
 * ENU frame (REP-103: x east, y north), geographic points are `{ lat, lon }`
 * in WGS-84 degrees and are converted with the mission's GNSS origin.
 */
// zod 4 numbers are finite already: NaN and Infinity are rejected.
const finite = z.number();

export const localPointSchema = z
  .tuple([finite, finite])
  .describe('Local point [x, y] in metres, ENU frame of the mission (x east, y north).');

export const geoPointSchema = z
  .strictObject({
    lat: z.number().min(-90).max(90).describe('Latitude, degrees (WGS-84).'),
    lon: z.number().min(-180).max(180).describe('Longitude, degrees (WGS-84).'),
  })
  .describe('Geographic point in degrees.');

export const pointSchema = z.union([localPointSchema, geoPointSchema]);

export type LocalPoint = z.infer<typeof localPointSchema>;
export type GeoPoint = z.infer<typeof geoPointSchema>;
export type Point = z.infer<typeof pointSchema>;

/**
 * A simple polygon: at least 3 points, not all in a line, edges that do not
 * cross. Closing the ring (repeating the first point) is optional.
 */
export const polygonSchema = z
  .array(pointSchema)
  .superRefine((points, ctx) => {
    const distinct = openRing(points);
    if (distinct.length < 3) {
      ctx.addIssue({ code: 'custom', message: 'polygon needs at least 3 points' });
      return;
    }
    if (distinct.some((p) => Array.isArray(p)) && distinct.some((p) => !Array.isArray(p))) {
      ctx.addIssue({ code: 'custom', message: 'polygon mixes local [x, y] and geographic {lat, lon} points' });
      return;
    }
    const xy = distinct.map(toXY);
    // Crossing first: a symmetric bow-tie also has zero signed area, and "edges cross" is the true reason.
    const crossing = firstSelfIntersection(xy);
    if (crossing !== undefined) {
      ctx.addIssue({ code: 'custom', message: `polygon edges ${crossing[0]} and ${crossing[1]} cross each other` });
      return;
    }
    if (Math.abs(signedArea(xy)) < 1e-12) {
      ctx.addIssue({ code: 'custom', message: 'polygon has zero area (its points lie on a line)' });
    }
  })
  .describe('Polygon: list of local [x, y] metres or {lat, lon} points, at least 3, edges must not cross.');

export type Polygon = z.infer<typeof polygonSchema>;

function samePoint(a: Point, b: Point): boolean {
  const [ax, ay] = toXY(a);
  const [bx, by] = toXY(b);
  return ax === bx && ay === by;
}

/** Drops the closing point when the ring repeats its first point at the end. */
export function openRing<P extends Point>(points: readonly P[]): P[] {
  const first = points[0];
  const last = points[points.length - 1];
  if (points.length > 1 && first !== undefined && last !== undefined && samePoint(first, last))
    return points.slice(0, -1);
  return [...points];
}

/** Planar coordinates for shape checks only (lon as x, lat as y for geographic points). */
function toXY(p: Point): [number, number] {
  return Array.isArray(p) ? [p[0], p[1]] : [p.lon, p.lat];
}

function signedArea(xy: readonly [number, number][]): number {
  let a = 0;
  for (let i = 0; i < xy.length; i++) {
    const [x1, y1] = xy[i] as [number, number];
    const [x2, y2] = xy[(i + 1) % xy.length] as [number, number];
    a += x1 * y2 - x2 * y1;
  }
  return a / 2;
}

function orient(a: [number, number], b: [number, number], c: [number, number]): number {
  return Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
}

function onSegment(a: [number, number], b: [number, number], p: [number, number]): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

function segmentsIntersect(
  p1: [number, number],
  p2: [number, number],
  q1: [number, number],
  q2: [number, number],
): boolean {
  const o1 = orient(p1, p2, q1);
  const o2 = orient(p1, p2, q2);
  const o3 = orient(q1, q2, p1);
  const o4 = orient(q1, q2, p2);
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && onSegment(p1, p2, q1)) ||
    (o2 === 0 && onSegment(p1, p2, q2)) ||
    (o3 === 0 && onSegment(q1, q2, p1)) ||
    (o4 === 0 && onSegment(q1, q2, p2))
  );
}

/** O(n²) is fine: mission polygons have at most a few hundred vertices and are checked once. */
function firstSelfIntersection(xy: readonly [number, number][]): [number, number] | undefined {
  const n = xy.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      // Adjacent edges share a vertex by construction.
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      const a1 = xy[i] as [number, number];
      const a2 = xy[(i + 1) % n] as [number, number];
      const b1 = xy[j] as [number, number];
      const b2 = xy[(j + 1) % n] as [number, number];
      if (segmentsIntersect(a1, a2, b1, b2)) return [i, j];
    }
  }
  return undefined;
}
