import { describe, expect, it } from 'vitest';
import { SimLidar } from '../../../sim/index.js';
import { rover, world } from '../fixtures.js';

describe('SimLidar', () => {
  it('measures a known wall at the range the ray geometry gives', () => {
    // Robot at (10, 10) facing east; a wall along x = 20 (10 m ahead), 4 m tall.
    const w = world(rover, {
      walls: [
        {
          points: [
            [20, -50],
            [20, 150],
          ],
          heightM: 4,
          thicknessM: 0.2,
          colour: [100, 100, 100],
        },
      ],
    });
    const mount = { x: 0, y: 0, z: 0.5, rollRad: 0, pitchRad: 0, yawRad: 0 };
    const lidar = new SimLidar('lidar', 'lidar', mount, w.rng.stream('sensor:lidar'), w, { noiseM: 0, beamDropout: 0 });
    const scan = lidar.sample(w);
    expect(scan.rangesM.length).toBe(360);
    for (let i = 0; i < scan.rangesM.length; i++) {
      const a = scan.angleMinRad + i * scan.angleIncrementRad;
      const r = scan.rangesM[i]!;
      // A beam at angle a meets the plane x = 20 after 10 / cos(a) metres, when it points east and within range.
      const expected = Math.cos(a) > 1e-9 ? 10 / Math.cos(a) : Infinity;
      if (expected <= scan.rangeMaxM) expect(r).toBeCloseTo(expected, 4);
      else expect(r).toBe(Infinity);
    }
  });

  it('sees a person standing in front of the robot', () => {
    const w = world(rover, {
      persons: [{ id: 'p', path: [[15, 10]], loop: false, startS: 0, speedMps: 1, colour: [1, 2, 3] }],
    });
    const mount = { x: 0, y: 0, z: 0.5, rollRad: 0, pitchRad: 0, yawRad: 0 };
    const lidar = new SimLidar('lidar', 'lidar', mount, w.rng.stream('x'), w, { noiseM: 0, beamDropout: 0 });
    const scan = lidar.sample(w);
    // Beam 180 points straight ahead (angleMin = -π).
    expect(scan.rangesM[180]).toBeCloseTo(5 - 0.25, 4);
  });
});
