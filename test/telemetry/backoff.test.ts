import { describe, expect, it } from 'vitest';
import { Backoff } from '../../telemetry/index.js';

describe('Backoff', () => {
  it('doubles from min to max and starts over after reset', () => {
    const b = new Backoff({ minMs: 100, maxMs: 1_000, random: () => 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1_000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
  it('jitters downwards by at most the jitter fraction', () => {
    const b = new Backoff({ minMs: 100, maxMs: 1_000, jitter: 0.5, random: () => 0.999 });
    const d = b.next();
    expect(d).toBeGreaterThan(50);
    expect(d).toBeLessThanOrEqual(100);
  });
  it('BAD CALL - min above max is a RangeError', () => {
    expect(() => new Backoff({ minMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});
