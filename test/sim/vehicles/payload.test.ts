import { describe, expect, it } from 'vitest';
import type { Platform } from '../../../missions/index.js';
import { Payload } from '../../../sim/index.js';
import { drone, world } from '../fixtures.js';

const DT_MS = 10;
const HOME = { x: 10, y: 10 };

/** The fixture drone (20 L, home at (10, 10)) with a refill at home at 4 L/s, pad radius 5 m. */
const refillDrone: Platform = {
  ...drone,
  kind: 'multirotor',
  maxClimbMps: 3,
  maxYawRateDps: 90,
  maxAccelMps2: 4,
  payload: { kind: 'water', capacity: 20, rangeM: 15, refill: { at: 'home', rateLps: 4, radiusM: 5 } },
};

/** Steps `w` for `s` seconds of sim time. */
function run(w: ReturnType<typeof world>, s: number): void {
  for (let i = 0; i < (s * 1000) / DT_MS; i++) w.step(DT_MS);
}

/** Flies out to (x, y), empties the tank there, and lands where it is. */
function emptyAndLandAt(platform: Platform, x: number, y: number): ReturnType<typeof world> {
  const w = world(platform);
  w.apply({ kind: 'goto', target: { frame: 'local', x, y }, altitudeM: 15 });
  run(w, 20);
  w.apply({ kind: 'payload', on: true });
  run(w, 12); // 20 L at 2 L/s: empty after 10 s
  expect(w.vehicle.payload.left).toBe(0);
  w.apply({ kind: 'land' });
  run(w, 20);
  expect(w.vehicle.state.landed).toBe(true);
  return w;
}

describe('Payload refill (unit)', () => {
  const spec = { kind: 'water', capacity: 40, rangeM: 25, refill: { at: 'home', rateLps: 4, radiusM: 8 } } as const;

  it('fills at its rate while landed on the pad, up to capacity, and counts the refill once', () => {
    const p = new Payload(spec, 2, HOME);
    p.left = 0;
    let added = 0;
    for (let i = 0; i < 500; i++) added += p.refill(0.01, true, 13, 14); // 5 s, 5 m from home
    expect(p.left).toBeCloseTo(20, 6);
    expect(p.refills).toBe(0);
    for (let i = 0; i < 1000; i++) added += p.refill(0.01, true, 13, 14); // 10 s more: full after 5
    expect(p.left).toBe(40);
    expect(added).toBeCloseTo(40, 6);
    expect(p.refills).toBe(1);
  });

  it('does not fill in the air, off the pad, while releasing, or without a refill point', () => {
    const p = new Payload(spec, 2, HOME);
    p.left = 10;
    expect(p.refill(1, false, 10, 10)).toBe(0);
    expect(p.refill(1, true, 19, 10)).toBe(0); // 9 m out, the pad is 8 m
    p.set(true, 0);
    expect(p.refill(1, true, 10, 10)).toBe(0);
    p.set(false, 0);
    expect(p.refill(1, true, 10, 10)).toBe(4);
    const plain = new Payload({ kind: 'water', capacity: 40, rangeM: 25 }, 2, HOME);
    plain.left = 10;
    expect(plain.refill(1, true, 10, 10)).toBe(0);
    expect(plain.atRefillPoint(10, 10)).toBe(false);
  });

  it('refills at a local point instead of home when the spec names one', () => {
    const p = new Payload({ ...spec, refill: { at: [100, 50], rateLps: 4, radiusM: 8 } }, 2, HOME);
    expect(p.atRefillPoint(10, 10)).toBe(false);
    expect(p.atRefillPoint(103, 52)).toBe(true);
  });
});

describe('Payload refill on the simulated multirotor', () => {
  it('an empty tank landed at home is full again after capacity / rate seconds', () => {
    const w = emptyAndLandAt(refillDrone, HOME.x, HOME.y);
    const landedAtS = w.timeS;
    // Already filling since touchdown; measure a fresh fill to check the rate.
    w.vehicle.payload.left = 0;
    run(w, 2.5);
    expect(w.vehicle.payload.left).toBeCloseTo(10, 1);
    run(w, 3);
    expect(w.vehicle.payload.left).toBe(20);
    expect(w.truth().vehicle.payloadLeft).toBe(20);
    expect(w.timeS).toBeGreaterThan(landedAtS);
  });

  it('does not refill when landed away from the pad, nor without the refill option', () => {
    expect(emptyAndLandAt(refillDrone, 40, 40).vehicle.payload.left).toBe(0);
    expect(emptyAndLandAt(drone, HOME.x, HOME.y).vehicle.payload.left).toBe(0);
  });
});
