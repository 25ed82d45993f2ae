import { GuardError } from '../errors.js';

/**
 * A simple polygon (convex or concave, no holes) prepared for the guard's hot
 * path: vertices, edge vectors, squared edge lengths and the bounding box are
 * computed once, so every query is a loop over typed arrays with no
 * allocation. Holes are expressed one level up, as keep-out zones inside a
 * keep-in fence.
 *
 * Boundary points count as inside (`contains` is closed): a robot on the
 * fence line is inside the fence, and a robot on a keep-out zone's edge is
 * inside the keep-out zone. Both readings are the conservative one.
 */
export class PreparedPolygon {
  readonly vertexCount: number;
  /** Vertex coordinates, m. Edge i runs from vertex i to vertex (i + 1) mod n. */
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  private readonly dxs: Float64Array;
  private readonly dys: Float64Array;
  private readonly len2s: Float64Array;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  /** Scratch for `exitFraction`: one slot per possible edge hit, two per edge for collinear overlaps. */
  private readonly hits: Float64Array;
  /** Per-edge bounding boxes, and scratch for the edges near a path. */
  private readonly eMinX: Float64Array;
  private readonly eMinY: Float64Array;
  private readonly eMaxX: Float64Array;
  private readonly eMaxY: Float64Array;
  private readonly near: Int32Array;
  /** Scratch: the bounding box (minX, minY, maxX, maxY) of the path being tested, measured once per query. */
  private readonly pathBox = new Float64Array(4);
  /**
   * Horizontal bands over the bounding box, each listing the edges whose y
   * range touches it (CSR: edges of band b are bandEdges[bandStart[b] ..
   * bandStart[b + 1])). A containment test walks one band, so a 200-vertex
   * fence costs about as much as a 10-vertex one.
   */
  private readonly bandCount: number;
  private readonly bandHeight: number;
  private readonly bandStart: Int32Array;
  private readonly bandEdges: Int32Array;

  /**
   * @param points ring of `[x, y]` metres; a closing point equal to the first is dropped.
   * @throws GuardError `geometry.polygon_invalid` with fewer than 3 distinct points or a non-finite coordinate.
   */
  constructor(points: readonly (readonly [number, number])[]) {
    let n = points.length;
    const first = points[0];
    const last = points[n - 1];
    if (n > 1 && first !== undefined && last !== undefined && first[0] === last[0] && first[1] === last[1]) n--;
    if (n < 3) throw new GuardError('geometry.polygon_invalid', `a polygon needs at least 3 points, got ${n}`);
    this.vertexCount = n;
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = points[i] as readonly [number, number];
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
        throw new GuardError('geometry.polygon_invalid', `polygon point ${i} is not finite: [${p[0]}, ${p[1]}]`);
      }
      this.xs[i] = p[0];
      this.ys[i] = p[1];
    }
    this.dxs = new Float64Array(n);
    this.dys = new Float64Array(n);
    this.len2s = new Float64Array(n);
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const j = i + 1 === n ? 0 : i + 1;
      const x = this.xs[i] as number;
      const y = this.ys[i] as number;
      const dx = (this.xs[j] as number) - x;
      const dy = (this.ys[j] as number) - y;
      this.dxs[i] = dx;
      this.dys[i] = dy;
      this.len2s[i] = dx * dx + dy * dy;
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
    this.minX = minX;
    this.minY = minY;
    this.maxX = maxX;
    this.maxY = maxY;
    this.hits = new Float64Array(2 * n + 2);
    this.eMinX = new Float64Array(n);
    this.eMinY = new Float64Array(n);
    this.eMaxX = new Float64Array(n);
    this.eMaxY = new Float64Array(n);
    this.near = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const x0 = this.xs[i] as number;
      const y0 = this.ys[i] as number;
      const x1 = x0 + (this.dxs[i] as number);
      const y1 = y0 + (this.dys[i] as number);
      this.eMinX[i] = Math.min(x0, x1);
      this.eMaxX[i] = Math.max(x0, x1);
      this.eMinY[i] = Math.min(y0, y1);
      this.eMaxY[i] = Math.max(y0, y1);
    }
    const height = maxY - minY;
    this.bandCount = height > 0 ? Math.min(256, Math.max(1, Math.ceil(n / 4))) : 1;
    this.bandHeight = height > 0 ? height / this.bandCount : 1;
    const counts = new Int32Array(this.bandCount + 1);
    for (let i = 0; i < n; i++) {
      const [b0, b1] = this.bandRange(i);
      for (let b = b0; b <= b1; b++) counts[b + 1] = (counts[b + 1] as number) + 1;
    }
    for (let b = 0; b < this.bandCount; b++) counts[b + 1] = (counts[b + 1] as number) + (counts[b] as number);
    this.bandStart = counts;
    this.bandEdges = new Int32Array(counts[this.bandCount] as number);
    const fill = counts.slice(0, this.bandCount);
    for (let i = 0; i < n; i++) {
      const [b0, b1] = this.bandRange(i);
      for (let b = b0; b <= b1; b++) {
        const at = fill[b] as number;
        this.bandEdges[at] = i;
        fill[b] = at + 1;
      }
    }
  }

  private band(y: number): number {
    const b = Math.floor((y - this.minY) / this.bandHeight);
    return b < 0 ? 0 : b >= this.bandCount ? this.bandCount - 1 : b;
  }

  /** Bands edge i touches, with a hair of slack for the on-edge tolerance. */
  private bandRange(i: number): [number, number] {
    return [this.band((this.eMinY[i] as number) - 1e-9), this.band((this.eMaxY[i] as number) + 1e-9)];
  }

  /**
   * `exitFraction` for a polyline (a sampled path): the fraction of the whole
   * path, by vertex index, that stays inside from its start; `Infinity` when
   * all of it does, -1 when the start is outside.
   *
   * Only edges whose boxes overlap the path's box can be crossed, so those are
   * collected once and each segment is tested against them alone: a path far
   * from the boundary costs one containment test and one pass of box compares.
   */
  polylineExitFraction(pxs: Float64Array, pys: Float64Array, count: number): number {
    const x0 = pxs[0] as number;
    const y0 = pys[0] as number;
    if (!this.contains(x0, y0)) return -1;
    const segments = count - 1;
    if (segments <= 0) return Infinity;
    this.measurePath(pxs, pys, count);
    const near = this.collectNear();
    if (near === 0) return Infinity;
    const hits = this.hits;
    for (let k = 0; k < segments; k++) {
      const ax = pxs[k] as number;
      const ay = pys[k] as number;
      const dx = (pxs[k + 1] as number) - ax;
      const dy = (pys[k + 1] as number) - ay;
      let found = 0;
      for (let j = 0; j < near; j++) found = this.collectEdgeHits(this.near[j] as number, ax, ay, dx, dy, hits, found);
      if (found === 0) continue;
      const u = this.firstOutside(ax, ay, dx, dy, found);
      if (u !== Infinity) return (k + u) / segments;
    }
    return Infinity;
  }

  /**
   * The fraction of a polyline, by vertex index, before it first touches the
   * polygon (boundary counts); `Infinity` when it never does, 0 when it starts inside.
   */
  polylineEntryFraction(pxs: Float64Array, pys: Float64Array, count: number): number {
    this.measurePath(pxs, pys, count);
    if (this.pathMissesBox()) return Infinity;
    if (this.contains(pxs[0] as number, pys[0] as number)) return 0;
    const segments = count - 1;
    if (segments <= 0) return Infinity;
    const near = this.collectNear();
    const hits = this.hits;
    for (let k = 0; k < segments; k++) {
      const ax = pxs[k] as number;
      const ay = pys[k] as number;
      const dx = (pxs[k + 1] as number) - ax;
      const dy = (pys[k + 1] as number) - ay;
      let best = Infinity;
      for (let j = 0; j < near; j++) {
        const found = this.collectEdgeHits(this.near[j] as number, ax, ay, dx, dy, hits, 0);
        if (found > 0) best = Math.min(best, hits[0] as number, found === 2 ? (hits[1] as number) : Infinity);
      }
      if (best !== Infinity) return (k + best) / segments;
    }
    return Infinity;
  }

  /** Fills `pathBox` with the polyline's bounding box. */
  private measurePath(pxs: Float64Array, pys: Float64Array, count: number): void {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let k = 0; k < count; k++) {
      const x = pxs[k] as number;
      const y = pys[k] as number;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const b = this.pathBox;
    b[0] = minX;
    b[1] = minY;
    b[2] = maxX;
    b[3] = maxY;
  }

  /** Whether the measured path's box misses the polygon's box entirely. */
  private pathMissesBox(): boolean {
    const b = this.pathBox;
    return (
      (b[2] as number) < this.minX ||
      (b[0] as number) > this.maxX ||
      (b[3] as number) < this.minY ||
      (b[1] as number) > this.maxY
    );
  }

  /** Fills `near` with the edges whose boxes overlap the measured path's box; returns how many. */
  private collectNear(): number {
    const b = this.pathBox;
    let minX = b[0] as number;
    let minY = b[1] as number;
    let maxX = b[2] as number;
    let maxY = b[3] as number;
    // A hair of slack so an edge the path only grazes is not missed to rounding.
    const eps = 1e-9 * (1 + Math.abs(minX) + Math.abs(maxX) + Math.abs(minY) + Math.abs(maxY));
    minX -= eps;
    minY -= eps;
    maxX += eps;
    maxY += eps;
    let near = 0;
    const n = this.vertexCount;
    for (let i = 0; i < n; i++) {
      if ((this.eMaxX[i] as number) < minX || (this.eMinX[i] as number) > maxX) continue;
      if ((this.eMaxY[i] as number) < minY || (this.eMinY[i] as number) > maxY) continue;
      this.near[near++] = i;
    }
    return near;
  }

  /**
   * Given `count` hit parameters in `hits` for the segment p + t·d whose start
   * is inside, returns the first t after which it is outside, or Infinity.
   */
  private firstOutside(x0: number, y0: number, dx: number, dy: number, count: number): number {
    const hits = this.hits;
    // Insertion sort: a path rarely hits more than a handful of edges.
    for (let i = 1; i < count; i++) {
      const v = hits[i] as number;
      let j = i - 1;
      while (j >= 0 && (hits[j] as number) > v) {
        hits[j + 1] = hits[j] as number;
        j--;
      }
      hits[j + 1] = v;
    }
    let prev = 0;
    for (let k = 0; k <= count; k++) {
      const t = k < count ? (hits[k] as number) : 1;
      if (t - prev > 1e-12) {
        const mid = (prev + t) / 2;
        if (!this.contains(x0 + mid * dx, y0 + mid * dy)) return prev;
      }
      prev = t;
    }
    return Infinity;
  }

  /** True when (x, y) is inside or on the boundary. */
  contains(x: number, y: number): boolean {
    if (x < this.minX || x > this.maxX || y < this.minY || y > this.maxY) return false;
    // Crossing number (W. R. Franklin's PNPOLY) with an explicit on-edge test first,
    // because PNPOLY alone gives an arbitrary answer for points exactly on an edge.
    // Only edges whose y range contains y can cross the ray or hold the point: those of its band.
    const xs = this.xs;
    const ys = this.ys;
    const n = this.vertexCount;
    const b = this.band(y);
    const end = this.bandStart[b + 1] as number;
    let inside = false;
    for (let k = this.bandStart[b] as number; k < end; k++) {
      const e = this.bandEdges[k] as number;
      const f = e + 1 === n ? 0 : e + 1;
      const xi = xs[e] as number;
      const yi = ys[e] as number;
      const xj = xs[f] as number;
      const yj = ys[f] as number;
      // The on-edge test is costly; only points inside the edge's box can be on it.
      if (
        x >= (this.eMinX[e] as number) - 1e-9 &&
        x <= (this.eMaxX[e] as number) + 1e-9 &&
        y >= (this.eMinY[e] as number) - 1e-9 &&
        y <= (this.eMaxY[e] as number) + 1e-9 &&
        onSegment(xi, yi, xj, yj, x, y)
      ) {
        return true;
      }
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  /** Squared distance from (x, y) to the nearest point of the boundary, m². */
  boundaryDistanceSq(x: number, y: number): number {
    let best = Infinity;
    const n = this.vertexCount;
    for (let i = 0; i < n; i++) {
      const d = this.edgeDistanceSq(i, x, y);
      if (d < best) best = d;
    }
    return best;
  }

  /** Distance from (x, y) to the polygon as a region: 0 inside or on the boundary, m. */
  distanceTo(x: number, y: number): number {
    return this.contains(x, y) ? 0 : Math.sqrt(this.boundaryDistanceSq(x, y));
  }

  /**
   * Writes the boundary point nearest to (x, y) into `out[0..1]` and returns
   * the squared distance to it. `out` is caller-owned so the call allocates nothing.
   */
  nearestBoundaryPoint(x: number, y: number, out: Float64Array): number {
    let best = Infinity;
    const n = this.vertexCount;
    for (let i = 0; i < n; i++) {
      const t = this.edgeParam(i, x, y);
      const px = (this.xs[i] as number) + t * (this.dxs[i] as number);
      const py = (this.ys[i] as number) + t * (this.dys[i] as number);
      const d = (px - x) * (px - x) + (py - y) * (py - y);
      if (d < best) {
        best = d;
        out[0] = px;
        out[1] = py;
      }
    }
    return best;
  }

  /**
   * Smallest t in [0, 1] at which the segment (x0, y0) + t·(x1 − x0, y1 − y0)
   * touches the boundary, or `Infinity` when it never does. With `contains`,
   * this answers "when does a path first enter a keep-out zone".
   */
  firstBoundaryHit(x0: number, y0: number, x1: number, y1: number): number {
    if (this.segmentMissesBox(x0, y0, x1, y1)) return Infinity;
    let best = Infinity;
    const n = this.vertexCount;
    for (let i = 0; i < n; i++) {
      const t = this.segmentEdgeFirstT(i, x0, y0, x1, y1);
      if (t < best) best = t;
    }
    return best;
  }

  /** True when the segment touches or crosses the boundary. */
  segmentIntersects(x0: number, y0: number, x1: number, y1: number): boolean {
    return this.firstBoundaryHit(x0, y0, x1, y1) !== Infinity;
  }

  /**
   * How far along the segment the path stays inside (boundary inclusive):
   * returns the largest t in [0, 1] such that the whole of [0, t] is inside,
   * `Infinity` when the whole segment is inside, and -1 when the start is outside.
   *
   * Exact for concave polygons: the segment can only leave the polygon at a
   * boundary hit, so the hits split it into pieces that are each wholly inside
   * or wholly outside, and one midpoint test per piece decides which.
   */
  exitFraction(x0: number, y0: number, x1: number, y1: number): number {
    if (!this.contains(x0, y0)) return -1;
    const hits = this.hits;
    let count = 0;
    const n = this.vertexCount;
    const dx = x1 - x0;
    const dy = y1 - y0;
    for (let i = 0; i < n; i++) count = this.collectEdgeHits(i, x0, y0, dx, dy, hits, count);
    if (count === 0) return Infinity;
    return this.firstOutside(x0, y0, dx, dy, count);
  }

  private segmentMissesBox(x0: number, y0: number, x1: number, y1: number): boolean {
    return (
      (x0 < this.minX && x1 < this.minX) ||
      (x0 > this.maxX && x1 > this.maxX) ||
      (y0 < this.minY && y1 < this.minY) ||
      (y0 > this.maxY && y1 > this.maxY)
    );
  }

  /** Parameter of the point of edge i nearest to (x, y), clamped to [0, 1]. */
  private edgeParam(i: number, x: number, y: number): number {
    const len2 = this.len2s[i] as number;
    if (len2 === 0) return 0;
    const t =
      ((x - (this.xs[i] as number)) * (this.dxs[i] as number) +
        (y - (this.ys[i] as number)) * (this.dys[i] as number)) /
      len2;
    return t < 0 ? 0 : t > 1 ? 1 : t;
  }

  private edgeDistanceSq(i: number, x: number, y: number): number {
    const t = this.edgeParam(i, x, y);
    const px = (this.xs[i] as number) + t * (this.dxs[i] as number) - x;
    const py = (this.ys[i] as number) + t * (this.dys[i] as number) - y;
    return px * px + py * py;
  }

  /** First parameter t on the segment where it meets edge i, or Infinity. */
  private segmentEdgeFirstT(i: number, x0: number, y0: number, x1: number, y1: number): number {
    const hits = this.hits;
    const count = this.collectEdgeHits(i, x0, y0, x1 - x0, y1 - y0, hits, 0);
    if (count === 0) return Infinity;
    const a = hits[0] as number;
    return count === 2 ? Math.min(a, hits[1] as number) : a;
  }

  /**
   * Appends to `out` the segment parameters where the segment p + t·d meets
   * edge i: one for a crossing or touch, two (the overlap's ends) when they
   * are collinear and overlap. Returns the new count.
   */
  private collectEdgeHits(
    i: number,
    px: number,
    py: number,
    dx: number,
    dy: number,
    out: Float64Array,
    count: number,
  ): number {
    const qx = this.xs[i] as number;
    const qy = this.ys[i] as number;
    const ex = this.dxs[i] as number;
    const ey = this.dys[i] as number;
    const denom = dx * ey - dy * ex;
    const wx = qx - px;
    const wy = qy - py;
    // Relative tolerance: coordinates are metres in a mission area, up to tens of km.
    const scale = Math.abs(dx * ey) + Math.abs(dy * ex);
    if (Math.abs(denom) > 1e-12 * scale && denom !== 0) {
      const t = (wx * ey - wy * ex) / denom;
      const u = (wx * dy - wy * dx) / denom;
      const eps = 1e-12;
      if (t >= -eps && t <= 1 + eps && u >= -eps && u <= 1 + eps) {
        out[count++] = t < 0 ? 0 : t > 1 ? 1 : t;
      }
      return count;
    }
    // Parallel: only a collinear overlap counts.
    const cross = wx * dy - wy * dx;
    const d2 = dx * dx + dy * dy;
    if (d2 === 0) {
      // A zero-length segment is a point: it "hits" the edge when it lies on it.
      if (onSegment(qx, qy, qx + ex, qy + ey, px, py)) out[count++] = 0;
      return count;
    }
    if (Math.abs(cross) > 1e-9 * Math.sqrt(d2) * (Math.hypot(wx, wy) + 1)) return count;
    const t0 = (wx * dx + wy * dy) / d2;
    const t1 = ((wx + ex) * dx + (wy + ey) * dy) / d2;
    const lo = Math.max(0, Math.min(t0, t1));
    const hi = Math.min(1, Math.max(t0, t1));
    if (lo <= hi) {
      out[count++] = lo;
      if (hi > lo) out[count++] = hi;
    }
    return count;
  }
}

/** True when (x, y) lies on the segment (ax, ay)–(bx, by), within a relative tolerance. */
function onSegment(ax: number, ay: number, bx: number, by: number, x: number, y: number): boolean {
  if (x < Math.min(ax, bx) - 1e-9 || x > Math.max(ax, bx) + 1e-9) return false;
  if (y < Math.min(ay, by) - 1e-9 || y > Math.max(ay, by) + 1e-9) return false;
  const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
  const len = Math.abs(bx - ax) + Math.abs(by - ay);
  return Math.abs(cross) <= 1e-9 * (len + 1);
}
