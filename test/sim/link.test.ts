import { describe, expect, it } from 'vitest';
import { SimLinkState } from '../../sim/index.js';

describe('simulated ground-station link', () => {
  it('beats at the heartbeat period while up, says down once, stays silent while down, and is up at once when back', () => {
    const link = new SimLinkState(1000);
    const out: [number, boolean][] = [];
    // 0..2.9 s up, 3.0..4.9 s down, 5.0.. up; checked every 100 ms.
    for (let t = 0; t <= 7000; t += 100) {
      const m = link.check(t, t >= 3000 && t < 5000);
      if (m !== undefined) out.push([t, m.up]);
    }
    expect(out).toEqual([
      [0, true],
      [1000, true],
      [2000, true],
      [3000, false],
      [5000, true],
      [6000, true],
      [7000, true],
    ]);
  });

  it('a link that starts down says so once and beats as soon as it comes up', () => {
    const link = new SimLinkState(500);
    expect(link.check(0, true)).toEqual({ up: false });
    expect(link.check(100, true)).toBeUndefined();
    expect(link.check(200, false)).toEqual({ up: true });
    expect(link.check(600, false)).toBeUndefined();
    expect(link.check(700, false)).toEqual({ up: true });
  });
});
