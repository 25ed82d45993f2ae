import { describe, expect, it } from 'vitest';
import { SimImu } from '../../../sim/index.js';
import { drone, rover, world } from '../fixtures.js';

describe('SimImu', () => {
  it('reads +g up and no rotation at rest', () => {
    const w = world(rover);
    const imu = new SimImu('imu', 'imu', w.rng.stream('i'), { dropout: 0 });
    let z = 0;
    const n = 500;
    for (let i = 0; i < n; i++) {
      w.step(10);
      z += imu.sample(w)!.linearAccelerationMps2.z;
    }
    expect(z / n).toBeCloseTo(9.81, 0);
  });

  it('feels forward acceleration as the multirotor speeds up (thrust stays along body z)', () => {
    const w = world(drone);
    w.apply({ kind: 'goto', target: { frame: 'local', x: 10, y: 10 }, altitudeM: 10 });
    for (let i = 0; i < 1000; i++) w.step(10);
    w.apply({ kind: 'velocity', linearMps: { x: 8, y: 0, z: 0 }, yawRateRps: 0 });
    w.step(10);
    w.step(10);
    expect(w.vehicle.state.pitchRad).toBeGreaterThan(0.2);
    const imu = new SimImu('imu', 'imu', w.rng.stream('i'), {
      dropout: 0,
      accelNoiseMps2: 0,
      accelBiasMps2: 0,
      accelBiasWalkMps2: 0,
    });
    const a = imu.sample(w)!.linearAccelerationMps2;
    expect(Math.abs(a.x)).toBeLessThan(0.05);
    expect(a.z).toBeGreaterThan(9.81);
  });

  it('adds a spike during a scripted IMU fault', () => {
    const w = world(rover, { events: [{ kind: 'imu_spike', atS: 0, durationS: 1 }] });
    const imu = new SimImu('imu', 'imu', w.rng.stream('i'), { dropout: 0 });
    w.step(10);
    expect(imu.sample(w)!.linearAccelerationMps2.x).toBeGreaterThan(25);
  });
});
