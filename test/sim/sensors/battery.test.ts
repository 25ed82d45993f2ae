import { describe, expect, it } from 'vitest';
import { SimBattery } from '../../../sim/index.js';
import { rover, world } from '../fixtures.js';

describe('SimBattery', () => {
  it('reports a charge that falls as the rover drives', () => {
    const w = world(rover);
    const sensor = new SimBattery('battery', 'battery', w.rng.stream('b'), { percentNoise: 0 });
    const first = sensor.sample(w);
    for (let i = 0; i < 60_000; i++) {
      if (i % 50 === 0) w.apply({ kind: 'velocity', linearMps: { x: 1.5, y: 0, z: 0 }, yawRateRps: 0.3 });
      w.step(10);
    }
    const later = sensor.sample(w);
    expect(first.percent).toBe(100);
    expect(later.percent).toBeLessThan(first.percent);
    expect(later.voltageV).toBeLessThan(first.voltageV + 0.1);
    expect(later.currentA).toBeGreaterThan(0);
  });

  it('drops to the scripted level on a low_battery event', () => {
    const w = world(rover, { events: [{ kind: 'low_battery', atS: 1, value: 18, durationS: 0 }] });
    for (let i = 0; i < 200; i++) w.step(10);
    expect(new SimBattery('b', 'b', w.rng.stream('b'), { percentNoise: 0 }).sample(w).percent).toBeCloseTo(18, 0);
  });
});
