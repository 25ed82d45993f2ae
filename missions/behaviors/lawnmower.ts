/**
 * Boustrophedon ("lawnmower") coverage of a polygon: horizontal lanes
 * `spacingM` apart, each clipped to the polygon, flown alternately west-east
 * and east-west. Concave polygons give several segments per lane; each is
 * flown in lane order, which covers the area (not always the shortest path).
 */
export type XY = readonly [number, number];

export function lawnmower(polygon: readonly XY[], spacingM: number): XY[] {
  if (!(spacingM > 0)) throw new RangeError(`lane spacing must be > 0 m, got ${spacingM}`);
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [, y] of polygon) {
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const path: XY[] = [];
  let eastward = true;
  // First lane half a spacing inside the edge, so the sensor footprint covers the border.
  for (let y = minY + spacingM / 2; y < maxY; y += spacingM) {
    const xs = laneCrossings(polygon, y);
    const segments: [number, number][] = [];
    for (let i = 0; i + 1 < xs.length; i += 2) segments.push([xs[i] as number, xs[i + 1] as number]);
    if (!eastward) segments.reverse();
    for (const [a, b] of segments) {
      if (eastward) path.push([a, y], [b, y]);
      else path.push([b, y], [a, y]);
    }
    eastward = !eastward;
  }
  return path;
}

/** Sorted x where the horizontal line at `y` crosses the polygon's edges (half-open rule avoids double vertices). */
function laneCrossings(polygon: readonly XY[], y: number): number[] {
  const xs: number[] = [];
  for (let i = 0; i < polygon.length; i++) {
    const [x1, y1] = polygon[i] as XY;
    const [x2, y2] = polygon[(i + 1) % polygon.length] as XY;
    if (y1 <= y !== y2 <= y) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
  }
  return xs.sort((a, b) => a - b);
}

/** The vertex mean of a zone: where an inspection, a hold or a landing over it goes (tasking's dry run flies the same point). */
export function zoneMiddle(area: readonly XY[]): XY {
  let x = 0;
  let y = 0;
  for (const p of area) {
    x += p[0];
    y += p[1];
  }
  return [x / area.length, y / area.length];
}
