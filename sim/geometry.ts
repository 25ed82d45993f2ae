/**
 * Planar geometry of the 2.5D world on typed arrays: every wall, obstacle and
 * building edge becomes one segment with a height and a colour, so the lidar
 * and the camera cast rays against flat arrays instead of walking objects.
 */

export type XY = readonly [number, number];
export type Rgb = readonly [number, number, number];

/** Structure-of-arrays segment list: a, b end points, height (m) and colour of the face. */
export class SegmentSet {
  readonly ax: Float64Array;
  readonly ay: Float64Array;
  readonly bx: Float64Array;
  readonly by: Float64Array;
  readonly heightM: Float32Array;
  /** Half the thickness of a wall, added to collision distance, m. */
  readonly padM: Float32Array;
  /** r, g, b per segment. */
  readonly rgb: Uint8Array;
  private n = 0;

  constructor(capacity: number) {
    this.ax = new Float64Array(capacity);
    this.ay = new Float64Array(capacity);
    this.bx = new Float64Array(capacity);
    this.by = new Float64Array(capacity);
    this.heightM = new Float32Array(capacity);
    this.padM = new Float32Array(capacity);
    this.rgb = new Uint8Array(capacity * 3);
  }

  get count(): number {
    return this.n;
  }

  /** Empties the set, keeping its arrays (for per-scan moving boxes). */
  clear(): void {
    this.n = 0;
  }

  add(a: XY, b: XY, heightM: number, rgb: Rgb, padM = 0): void {
    const i = this.n++;
    this.padM[i] = padM;
    this.ax[i] = a[0];
    this.ay[i] = a[1];
    this.bx[i] = b[0];
    this.by[i] = b[1];
    this.heightM[i] = heightM;
    this.rgb[i * 3] = rgb[0];
    this.rgb[i * 3 + 1] = rgb[1];
    this.rgb[i * 3 + 2] = rgb[2];
  }

  /** Adds every edge of a closed polygon. */
  addPolygon(points: readonly XY[], heightM: number, rgb: Rgb): void {
    for (let i = 0; i < points.length; i++) {
      this.add(points[i] as XY, points[(i + 1) % points.length] as XY, heightM, rgb);
    }
  }

  /** Adds the edges of an open polyline. */
  addPolyline(points: readonly XY[], heightM: number, rgb: Rgb, padM = 0): void {
    for (let i = 0; i + 1 < points.length; i++) this.add(points[i] as XY, points[i + 1] as XY, heightM, rgb, padM);
  }
}

/** Filled by `castRay`: reused by the caller so the hot loop allocates nothing. */
export interface RayHit {
  distanceM: number;
  /** Segment index, -1 for no hit. */
  index: number;
}

export function newRayHit(): RayHit {
  return { distanceM: Infinity, index: -1 };
}

/**
 * Nearest intersection of the ray o + t·d (t ≥ 0, |d| = 1) with any segment,
 * up to `maxM`. Solves o + t·d = a + s·(b − a) by 2D cross products.
 */
export function castRay(
  set: SegmentSet,
  ox: number,
  oy: number,
  dx: number,
  dy: number,
  maxM: number,
  out: RayHit,
): RayHit {
  let best = maxM;
  let bestIndex = -1;
  const { ax, ay, bx, by } = set;
  for (let i = 0, n = set.count; i < n; i++) {
    const ax0 = ax[i] as number;
    const ay0 = ay[i] as number;
    const ex = (bx[i] as number) - ax0;
    const ey = (by[i] as number) - ay0;
    const denom = dx * ey - dy * ex;
    if (denom > -1e-12 && denom < 1e-12) continue; // parallel
    const wx = ax0 - ox;
    const wy = ay0 - oy;
    const t = (wx * ey - wy * ex) / denom;
    if (t < 0 || t >= best) continue;
    const s = (wx * dy - wy * dx) / denom;
    if (s < 0 || s > 1) continue;
    best = t;
    bestIndex = i;
  }
  out.distanceM = bestIndex < 0 ? Infinity : best;
  out.index = bestIndex;
  return out;
}

/** Ray against a circle (persons seen by the lidar); Infinity when missed. */
export function rayCircle(
  ox: number,
  oy: number,
  dx: number,
  dy: number,
  cx: number,
  cy: number,
  radiusM: number,
): number {
  const fx = ox - cx;
  const fy = oy - cy;
  const b = fx * dx + fy * dy;
  const c = fx * fx + fy * fy - radiusM * radiusM;
  const disc = b * b - c;
  if (disc < 0) return Infinity;
  const sq = Math.sqrt(disc);
  const t0 = -b - sq;
  if (t0 >= 0) return t0;
  const t1 = -b + sq;
  return t1 >= 0 ? 0 : Infinity;
}

/** Squared distance from point p to segment i. */
export function segmentDistanceSq(set: SegmentSet, i: number, px: number, py: number): number {
  const ax = set.ax[i] as number;
  const ay = set.ay[i] as number;
  const ex = (set.bx[i] as number) - ax;
  const ey = (set.by[i] as number) - ay;
  const len2 = ex * ex + ey * ey;
  let t = len2 === 0 ? 0 : ((px - ax) * ex + (py - ay) * ey) / len2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const qx = ax + t * ex - px;
  const qy = ay + t * ey - py;
  return qx * qx + qy * qy;
}

/** Even-odd point-in-polygon test. */
export function pointInPolygon(points: readonly XY[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i] as XY;
    const [xj, yj] = points[j] as XY;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Axis-aligned bounds of a point list. */
export function boundsOf(points: readonly XY[]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
}

/** Rectangle corners, counter-clockwise, from an axis-aligned box. */
export function rect(x0: number, y0: number, x1: number, y1: number): [number, number][] {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}
