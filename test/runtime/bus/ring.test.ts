import { describe, expect, it } from 'vitest';
import { Ring } from '../../../runtime/bus/ring.js';

function drain<T>(ring: Ring<T>): T[] {
  const out: T[] = [];
  for (let item = ring.shift(); item !== undefined; item = ring.shift()) out.push(item);
  return out;
}

describe('Ring', () => {
  it('is first in, first out', () => {
    const ring = new Ring<number>(4);
    for (let i = 0; i < 3; i++) ring.push(i);
    expect(ring.size).toBe(3);
    expect(drain(ring)).toEqual([0, 1, 2]);
    expect(ring.size).toBe(0);
  });

  it('shift on an empty ring returns undefined', () => {
    const ring = new Ring<number>();
    expect(ring.shift()).toBeUndefined();
    expect(ring.size).toBe(0);
  });

  it('grows past its capacity and keeps order when the head has wrapped', () => {
    const ring = new Ring<number>(4);
    // Move the head to the middle so the live items wrap around the end of the array.
    for (let i = 0; i < 3; i++) ring.push(-1);
    for (let i = 0; i < 3; i++) ring.shift();
    for (let i = 0; i < 37; i++) ring.push(i);
    expect(ring.size).toBe(37);
    expect(drain(ring)).toEqual(Array.from({ length: 37 }, (_, i) => i));
  });

  it('accepts capacities that are not powers of two, and zero', () => {
    for (const capacity of [0, 1, 3, 5, 100]) {
      const ring = new Ring<number>(capacity);
      for (let i = 0; i < 10; i++) ring.push(i);
      expect(drain(ring), `capacity ${capacity}`).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });

  it('pushBounded overwrites the oldest once the bound is reached and says so', () => {
    const ring = new Ring<number>(2);
    const dropped = [0, 1, 2, 3, 4, 5].map((i) => ring.pushBounded(i, 3));
    expect(dropped).toEqual([false, false, false, true, true, true]);
    expect(ring.size).toBe(3);
    expect(drain(ring)).toEqual([3, 4, 5]);
  });

  it('pushBounded with bound 1 keeps only the newest; with Infinity never drops', () => {
    const one = new Ring<string>(4);
    for (const s of ['a', 'b', 'c']) one.pushBounded(s, 1);
    expect(drain(one)).toEqual(['c']);

    const unbounded = new Ring<number>(1);
    const dropped = Array.from({ length: 100 }, (_, i) => unbounded.pushBounded(i, Infinity));
    expect(dropped.some(Boolean)).toBe(false);
    expect(unbounded.size).toBe(100);
  });

  it('clear empties it and the ring stays usable', () => {
    const ring = new Ring<number>(4);
    for (let i = 0; i < 6; i++) ring.push(i);
    ring.shift();
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.shift()).toBeUndefined();
    ring.push(7);
    ring.push(8);
    expect(drain(ring)).toEqual([7, 8]);
  });

  it('releases a delivered item so a large frame can be collected', () => {
    const ring = new Ring<object>(4);
    const frame = {};
    ring.push(frame);
    ring.shift();
    // The slot no longer refers to the frame: the backing array holds only undefined.
    const items = (ring as unknown as { items: unknown[] }).items;
    expect(items.includes(frame)).toBe(false);
  });
});
