import { describe, expect, it } from 'vitest';
import { lawnmower } from '../../../missions/behaviors/lawnmower.js';

describe('lawnmower', () => {
  it('covers a rectangle in alternating lanes half a spacing inside the edges', () => {
    const path = lawnmower(
      [
        [0, 0],
        [100, 0],
        [100, 40],
        [0, 40],
      ],
      20,
    );
    expect(path).toEqual([
      [0, 10],
      [100, 10],
      [100, 30],
      [0, 30],
    ]);
  });

  it('splits lanes of a concave (U-shaped) area into segments inside it', () => {
    const u: [number, number][] = [
      [0, 0],
      [30, 0],
      [30, 30],
      [20, 30],
      [20, 10],
      [10, 10],
      [10, 30],
      [0, 30],
    ];
    const path = lawnmower(u, 10);
    // Lane y=15 and y=25 cross the notch: two segments each, none inside the notch.
    const upper = path.filter(([, y]) => y > 10);
    for (const [x] of upper) expect(x <= 10 || x >= 20).toBe(true);
    expect(path.filter(([, y]) => y === 15)).toHaveLength(4);
  });

  it('BAD CALL - a zero spacing is refused', () => {
    expect(() =>
      lawnmower(
        [
          [0, 0],
          [1, 0],
          [1, 1],
        ],
        0,
      ),
    ).toThrow(RangeError);
  });
});
