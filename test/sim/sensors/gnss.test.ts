import { describe, expect, it } from 'vitest';
import { EnuFrame } from '../../../runtime/index.js';
import { SimGnss } from '../../../sim/index.js';
import { rover, world } from '../fixtures.js';

const NOISELESS = { noiseM: 0, biasM: 0, dropout: 0 };

describe('SimGnss', () => {
  it('reports the lat/lon of a known offset from the origin', () => {
    const w = world(rover);
    const s = w.vehicle.state;
    s.x = 100; // 100 m east
    s.y = 50; // 50 m north
    const mount = { x: 0, y: 0, z: 0, rollRad: 0, pitchRad: 0, yawRad: 0 };
    const fix = new SimGnss('gnss', 'gnss', mount, w.rng.stream('g'), NOISELESS).sample(w)!;
    expect(fix.status).toBe(0);
    const frame = new EnuFrame({ latDeg: 47.3769, lonDeg: 8.5417, altM: 400 });
    const back = frame.toEnu(fix.latDeg, fix.lonDeg, fix.altM);
    expect(back.x).toBeCloseTo(100, 3);
    expect(back.y).toBeCloseTo(50, 3);
    expect(fix.altM).toBeCloseTo(400, 2);
    // Independent check: a metre of latitude is about 1/111,200 degree at 47° N, a metre of longitude 1/75,500.
    expect(fix.latDeg - 47.3769).toBeCloseTo(50 / 111_200, 6);
    expect(fix.lonDeg - 8.5417).toBeCloseTo(100 / 75_530, 6);
  });

  it('spreads fixes around the truth with about the noise it claims', () => {
    const w = world(rover);
    const mount = { x: 0, y: 0, z: 0, rollRad: 0, pitchRad: 0, yawRad: 0 };
    const gnss = new SimGnss('gnss', 'gnss', mount, w.rng.stream('g'), { noiseM: 1, biasM: 0, dropout: 0 });
    let sumSq = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const fix = gnss.sample(w)!;
      const e = w.frame.toEnu(fix.latDeg, fix.lonDeg, fix.altM);
      sumSq += (e.x - 10) ** 2;
    }
    expect(Math.sqrt(sumSq / n)).toBeCloseTo(1, 1);
  });

  it('reports no fix during a scripted outage', () => {
    const w = world(rover, { events: [{ kind: 'gnss_outage', atS: 1, durationS: 2 }] });
    const mount = { x: 0, y: 0, z: 0, rollRad: 0, pitchRad: 0, yawRad: 0 };
    const gnss = new SimGnss('gnss', 'gnss', mount, w.rng.stream('g'), NOISELESS);
    for (let i = 0; i < 150; i++) w.step(10);
    const fix = gnss.sample(w)!;
    expect(fix.status).toBe(-1);
    expect(fix.latDeg).toBeNaN();
    for (let i = 0; i < 200; i++) w.step(10);
    expect(gnss.sample(w)!.status).toBe(0);
  });
});
