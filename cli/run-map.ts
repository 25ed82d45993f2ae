import sharp from 'sharp';
import type { Mission } from '../missions/index.js';
import { openRing } from '../missions/index.js';
import type { RunTrack, TrackPoint } from './run-track.js';

const SIZE_PX = 900;
const MARGIN_PX = 40;

/**
 * Draws the run as a PNG map: keep-in fence, no-go zones, the estimated and
 * (in simulation) true flight paths, true fires and persons, what perception
 * confirmed, and where the guard said no. SVG rendered by sharp (librsvg).
 */
export async function writeRunMap(file: string, mission: Mission, track: RunTrack): Promise<void> {
  const local = (points: readonly unknown[]): TrackPoint[] =>
    openRing(points as Parameters<typeof openRing>[0]).flatMap((p) => (Array.isArray(p) ? [{ x: p[0], y: p[1] }] : []));
  const fences = mission.guardrails.geofence.map((f) => local(f));
  const noGo = mission.guardrails.noGo.map((z) => ({ name: z.name, points: local(z.polygon) }));
  const truth = track.truth;
  const all: TrackPoint[] = [
    ...fences.flat(),
    ...noGo.flatMap((z) => z.points),
    ...track.path,
    ...track.truePath,
    ...(truth?.fires.cells ?? []),
    ...(truth?.persons ?? []),
  ];
  if (all.length === 0) all.push({ x: 0, y: 0 }, { x: 10, y: 10 });
  const minX = Math.min(...all.map((p) => p.x));
  const maxX = Math.max(...all.map((p) => p.x));
  const minY = Math.min(...all.map((p) => p.y));
  const maxY = Math.max(...all.map((p) => p.y));
  const span = Math.max(maxX - minX, maxY - minY, 1);
  const scale = (SIZE_PX - 2 * MARGIN_PX) / span;
  // ENU y points north (up); SVG y points down.
  const sx = (x: number): number => MARGIN_PX + (x - minX) * scale;
  const sy = (y: number): number => SIZE_PX - MARGIN_PX - (y - minY) * scale;
  const poly = (pts: readonly TrackPoint[]): string =>
    pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');

  const parts: string[] = [];
  parts.push(`<rect width="${SIZE_PX}" height="${SIZE_PX}" fill="#f4f1ea"/>`);
  for (const f of fences) parts.push(`<polygon points="${poly(f)}" fill="#e3efd9" stroke="#2f7d32" stroke-width="2"/>`);
  for (const z of noGo)
    parts.push(
      `<polygon points="${poly(z.points)}" fill="#f3c9c4" stroke="#b3261e" stroke-width="2" stroke-dasharray="6 4"/>`,
    );
  for (const c of truth?.fires.cells ?? []) {
    if (c.intensity > 0)
      parts.push(
        `<circle cx="${sx(c.x).toFixed(1)}" cy="${sy(c.y).toFixed(1)}" r="2.5" fill="#ff7a00" opacity="0.7"/>`,
      );
  }
  if (track.truePath.length > 1)
    parts.push(`<polyline points="${poly(track.truePath)}" fill="none" stroke="#9e9e9e" stroke-width="2"/>`);
  if (track.path.length > 1)
    parts.push(`<polyline points="${poly(track.path)}" fill="none" stroke="#1565c0" stroke-width="2"/>`);
  for (const p of truth?.persons ?? [])
    parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="4" fill="#8e24aa"/>`);
  for (const t of track.targets) {
    const colour = t.className === 'fire' ? '#d84315' : t.className === 'person' ? '#6a1b9a' : '#37474f';
    parts.push(
      `<circle cx="${sx(t.positionM.x).toFixed(1)}" cy="${sy(t.positionM.y).toFixed(1)}" r="8" fill="none" stroke="${colour}" stroke-width="3"/>`,
    );
  }
  for (const d of track.denials) {
    const x = sx(d.x);
    const y = sy(d.y);
    parts.push(
      `<path d="M${x - 5},${y - 5} L${x + 5},${y + 5} M${x - 5},${y + 5} L${x + 5},${y - 5}" stroke="#b3261e" stroke-width="2.5"/>`,
    );
  }
  const start = track.path[0];
  if (start !== undefined)
    parts.push(`<rect x="${sx(start.x) - 6}" y="${sy(start.y) - 6}" width="12" height="12" fill="#1565c0"/>`);
  // Scale bar: the largest round number of metres under a quarter of the map.
  const barM = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter((m) => m * scale < SIZE_PX / 4).pop() ?? 1;
  const y0 = SIZE_PX - 15;
  parts.push(`<path d="M${MARGIN_PX},${y0} h${barM * scale}" stroke="#212121" stroke-width="3"/>`);
  parts.push(text(MARGIN_PX + barM * scale + 8, y0 + 5, `${barM} m`));
  parts.push(
    text(
      MARGIN_PX,
      24,
      `${mission.mission.id}: blue = estimated path, grey = true path, orange = fire, purple = person, circles = confirmed targets, x = guard denial`,
    ),
  );

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE_PX}" height="${SIZE_PX}">${parts.join('')}</svg>`;
  await sharp(Buffer.from(svg)).png().toFile(file);
}

function text(x: number, y: number, s: string): string {
  const safe = s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<text x="${x}" y="${y}" font-family="sans-serif" font-size="13" fill="#212121">${safe}</text>`;
}
