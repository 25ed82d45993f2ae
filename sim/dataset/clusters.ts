import type { LabelBox } from '../render/renderer.js';

/** Ids the renderer gives fire boxes: one per burning grid cell. */
const FIRE_CELL_ID = /^cell-(\d+)$/;

type Box = { x: number; y: number; w: number; h: number };

function unionBox(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

function find(parent: Int32Array, i: number): number {
  let r = i;
  while ((parent[r] as number) !== r) r = parent[r] as number;
  // Path compression keeps later finds flat.
  let j = i;
  while ((parent[j] as number) !== r) {
    const next = parent[j] as number;
    parent[j] = r;
    j = next;
  }
  return r;
}

/**
 * One box per connected fire: the renderer labels every burning grid cell on
 * its own, but a person labelling the frame draws one box around a patch of
 * fire. Cells that touch in the fuel grid (8-neighbourhood, `gridCols` cells
 * per row) form one cluster; its box is the union of its cells' boxes and its
 * id `fire-<lowest cell>`. Boxes of other classes pass through unchanged.
 */
export function mergeFireClusters(boxes: readonly LabelBox[], gridCols: number): LabelBox[] {
  const cells: number[] = [];
  const cellBox = new Map<number, LabelBox>();
  const out: LabelBox[] = [];
  for (const b of boxes) {
    const m = b.cls === 'fire' ? FIRE_CELL_ID.exec(b.id) : null;
    if (m === null) {
      out.push(b);
      continue;
    }
    const cell = Number(m[1]);
    cells.push(cell);
    cellBox.set(cell, b);
  }
  if (cells.length === 0) return out;
  const slot = new Map<number, number>();
  cells.forEach((c, i) => slot.set(c, i));
  const parent = new Int32Array(cells.length).map((_, i) => i);
  cells.forEach((c, i) => {
    const col = c % gridCols;
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        if ((dr === 0 && dc === 0) || col + dc < 0 || col + dc >= gridCols) continue;
        const j = slot.get(c + dr * gridCols + dc);
        if (j === undefined) continue;
        const a = find(parent, i);
        const b = find(parent, j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  const clusters = new Map<number, { minCell: number; box: Box }>();
  cells.forEach((c, i) => {
    const root = find(parent, i);
    const b = cellBox.get(c) as LabelBox;
    const cur = clusters.get(root);
    if (cur === undefined) clusters.set(root, { minCell: c, box: { x: b.x, y: b.y, w: b.w, h: b.h } });
    else clusters.set(root, { minCell: Math.min(cur.minCell, c), box: unionBox(cur.box, b) });
  });
  for (const { minCell, box } of clusters.values()) out.push({ cls: 'fire', id: `fire-${minCell}`, ...box });
  return out;
}

/**
 * Merges boxes of class `cls` that overlap into one box (repeatedly, so a
 * chain of overlapping puffs becomes one plume); other classes pass through.
 */
export function mergeOverlapping(boxes: readonly LabelBox[], cls: string): LabelBox[] {
  const out: LabelBox[] = [];
  let group: LabelBox[] = [];
  for (const b of boxes) (b.cls === cls ? group : out).push(b);
  let merged = true;
  while (merged) {
    merged = false;
    const next: LabelBox[] = [];
    for (const b of group) {
      const hit = next.findIndex((a) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h);
      if (hit < 0) {
        next.push(b);
        continue;
      }
      const a = next[hit] as LabelBox;
      next[hit] = { cls, id: a.id < b.id ? a.id : b.id, ...unionBox(a, b) };
      merged = true;
    }
    group = next;
  }
  return [...out, ...group];
}
