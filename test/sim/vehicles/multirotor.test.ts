import { describe, expect, it } from 'vitest';
import { world, drone } from '../fixtures.js';

const DT_MS = 10;

describe('Multirotor', () => {
  it('respects its speed, climb, acceleration and yaw-rate limits under an extreme command', () => {
    const w = world(drone);
    const s = w.vehicle.state;
    let prev = { vx: 0, vy: 0 };
    let maxAccel = 0;
    let maxSpeed = 0;
    let maxClimb = 0;
    let maxYawRate = 0;
    for (let i = 0; i < 1000; i++) {
      // Renewed every step, like a controller at 100 Hz, and far beyond every limit; the spin starts at 5 s.
      w.apply({ kind: 'velocity', linearMps: { x: 50, y: -30, z: 20 }, yawRateRps: i < 500 ? 0 : 10 });
      w.step(DT_MS);
      maxAccel = Math.max(maxAccel, Math.hypot(s.vx - prev.vx, s.vy - prev.vy) / (DT_MS / 1000));
      maxSpeed = Math.max(maxSpeed, Math.hypot(s.vx, s.vy));
      maxClimb = Math.max(maxClimb, Math.abs(s.vz));
      maxYawRate = Math.max(maxYawRate, Math.abs(s.yawRateRps));
      prev = { vx: s.vx, vy: s.vy };
    }
    expect(maxAccel).toBeLessThanOrEqual(4 + 1e-9);
    expect(maxSpeed).toBeLessThanOrEqual(10 + 1e-9);
    expect(maxSpeed).toBeGreaterThan(9.9);
    expect(maxClimb).toBeLessThanOrEqual(3 + 1e-9);
    expect(maxYawRate).toBeLessThanOrEqual(Math.PI / 2 + 1e-9);
    expect(maxYawRate).toBeGreaterThan(1.5);
  });

  it('takes off to a goto altitude, flies there and holds', () => {
    const w = world(drone);
    w.apply({ kind: 'goto', target: { frame: 'local', x: 60, y: 40 }, altitudeM: 20 });
    for (let i = 0; i < 3000; i++) w.step(DT_MS);
    const s = w.vehicle.state;
    expect(Math.hypot(s.x - 60, s.y - 40)).toBeLessThan(0.6);
    expect(s.z).toBeCloseTo(20, 0);
    expect(s.mode).toBe('hold');
  });

  it('returns home and lands', () => {
    const w = world(drone);
    w.apply({ kind: 'goto', target: { frame: 'local', x: 50, y: 50 }, altitudeM: 15 });
    for (let i = 0; i < 2000; i++) w.step(DT_MS);
    w.apply({ kind: 'return_home' });
    for (let i = 0; i < 6000; i++) w.step(DT_MS);
    const s = w.vehicle.state;
    expect(Math.hypot(s.x - 10, s.y - 10)).toBeLessThan(0.6);
    expect(s.landed).toBe(true);
    expect(s.z).toBe(0);
  });

  it('stops a velocity command that is not renewed within its timeout', () => {
    const w = world(drone);
    w.apply({ kind: 'velocity', linearMps: { x: 5, y: 0, z: 2 }, yawRateRps: 0 });
    for (let i = 0; i < 400; i++) w.step(DT_MS);
    const s = w.vehicle.state;
    expect(Math.hypot(s.vx, s.vy)).toBeLessThan(0.5);
    expect(s.mode).toBe('hold');
  });

  it('drains its battery faster with a full water tank than with an empty one', () => {
    const hover = (payloadOn: boolean): number => {
      const w = world(drone);
      w.apply({ kind: 'goto', target: { frame: 'local', x: 10, y: 10 }, altitudeM: 10 });
      if (payloadOn) w.apply({ kind: 'payload', on: true });
      for (let i = 0; i < 1000; i++) w.step(DT_MS); // 10 s: the tank empties in that time at 2 L/s
      const start = w.vehicle.battery.percent;
      for (let i = 0; i < 3000; i++) w.step(DT_MS);
      return start - w.vehicle.battery.percent;
    };
    const full = hover(false);
    const empty = hover(true);
    expect(empty).toBeGreaterThan(0);
    expect(full).toBeGreaterThan(empty * 1.5);
  });

  it('drains its battery while flying and reports falling voltage', () => {
    const w = world(drone);
    const v0 = w.vehicle.battery.openCircuitV();
    w.apply({ kind: 'goto', target: { frame: 'local', x: 90, y: 90 }, altitudeM: 30 });
    for (let i = 0; i < 6000; i++) w.step(DT_MS);
    expect(w.vehicle.battery.percent).toBeLessThan(97);
    expect(w.vehicle.battery.openCircuitV()).toBeLessThan(v0);
    expect(w.vehicle.battery.currentA).toBeGreaterThan(0);
  });
});
