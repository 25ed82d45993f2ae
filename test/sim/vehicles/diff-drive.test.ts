import { describe, expect, it } from 'vitest';
import { rover, world } from '../fixtures.js';

describe('DiffDrive', () => {
  it('drives to a goto target within its speed and acceleration limits', () => {
    const w = world(rover);
    const s = w.vehicle.state;
    w.apply({ kind: 'goto', target: { frame: 'local', x: 30, y: 25 } });
    let prevV = 0;
    for (let i = 0; i < 4000; i++) {
      w.step(10);
      const v = Math.hypot(s.vx, s.vy);
      expect(v).toBeLessThanOrEqual(2 + 1e-9);
      expect(Math.abs(v - prevV) / 0.01).toBeLessThanOrEqual(1 + 1e-6);
      expect(Math.abs(s.yawRateRps)).toBeLessThanOrEqual(Math.PI / 3 + 1e-9);
      prevV = v;
    }
    expect(Math.hypot(s.x - 30, s.y - 25)).toBeLessThan(0.3);
    expect(s.mode).toBe('hold');
  });

  it('stops against a wall instead of driving through it', () => {
    const w = world(rover, {
      walls: [
        {
          points: [
            [20, 0],
            [20, 100],
          ],
          heightM: 2,
          thicknessM: 0.2,
          colour: [100, 100, 100],
        },
      ],
    });
    w.apply({ kind: 'goto', target: { frame: 'local', x: 40, y: 10 } });
    for (let i = 0; i < 4000; i++) w.step(10);
    const s = w.vehicle.state;
    expect(s.x).toBeLessThan(20 - 0.1 - 0.4 + 0.05);
    expect(s.collided).toBe(true);
  });

  it('brakes to a stop on stop', () => {
    const w = world(rover);
    for (let i = 0; i < 300; i++) {
      w.apply({ kind: 'velocity', linearMps: { x: 2, y: 0, z: 0 }, yawRateRps: 0 });
      w.step(10);
    }
    w.apply({ kind: 'stop' });
    for (let i = 0; i < 300; i++) w.step(10);
    expect(Math.hypot(w.vehicle.state.vx, w.vehicle.state.vy)).toBe(0);
  });
});
