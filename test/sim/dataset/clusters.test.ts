import { describe, expect, it } from 'vitest';
import { mergeFireClusters, mergeOverlapping, type LabelBox } from '../../../sim/index.js';

/** A fire cell's box as the renderer labels it: 10 px per cell of a 10-column grid. */
function cell(i: number): LabelBox {
  return { cls: 'fire', id: `cell-${i}`, x: (i % 10) * 10, y: Math.floor(i / 10) * 10, w: 12, h: 12 };
}

const byId = (boxes: readonly LabelBox[]): Record<string, LabelBox> => Object.fromEntries(boxes.map((b) => [b.id, b]));

describe('mergeFireClusters', () => {
  it('merges 8-connected cells into one box per cluster', () => {
    // 11-12 side by side, 12-22 one above the other, 33 touches 22 diagonally; 55 stands alone.
    const out = byId(mergeFireClusters([cell(12), cell(55), cell(11), cell(22), cell(33)], 10));
    expect(Object.keys(out).sort()).toEqual(['fire-11', 'fire-55']);
    expect(out['fire-11']).toEqual({ cls: 'fire', id: 'fire-11', x: 10, y: 10, w: 32, h: 32 });
    expect(out['fire-55']).toEqual({ cls: 'fire', id: 'fire-55', x: 50, y: 50, w: 12, h: 12 });
  });

  it('does not join the last column of a row to the first column of the next', () => {
    // Cells 9 (row 0, col 9) and 10 (row 1, col 0) are consecutive indices but far apart.
    expect(mergeFireClusters([cell(9), cell(10)], 10)).toHaveLength(2);
  });

  it('passes other classes through unchanged', () => {
    const person: LabelBox = { cls: 'person', id: 'hiker', x: 1, y: 2, w: 3, h: 4 };
    expect(mergeFireClusters([person, cell(0)], 10)).toEqual([
      person,
      { cls: 'fire', id: 'fire-0', x: 0, y: 0, w: 12, h: 12 },
    ]);
  });
});

describe('mergeOverlapping', () => {
  it('joins a chain of overlapping puffs into one plume, leaving separate ones and other classes', () => {
    const puff = (id: string, x: number): LabelBox => ({ cls: 'smoke', id, x, y: 0, w: 10, h: 10 });
    const fire: LabelBox = { cls: 'fire', id: 'fire-1', x: 0, y: 0, w: 50, h: 50 };
    const out = mergeOverlapping([puff('a', 0), fire, puff('b', 8), puff('c', 16), puff('d', 40)], 'smoke');
    expect(out).toContainEqual(fire);
    const smoke = out.filter((b) => b.cls === 'smoke');
    expect(smoke).toHaveLength(2);
    expect(smoke).toContainEqual({ cls: 'smoke', id: 'a', x: 0, y: 0, w: 26, h: 10 });
    expect(smoke).toContainEqual({ cls: 'smoke', id: 'd', x: 40, y: 0, w: 10, h: 10 });
  });
});
