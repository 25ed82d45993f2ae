import { describe, expect, it } from 'vitest';
import { CameraRenderer, parseScenario, SimWorld } from '../../../sim/index.js';
import { oneFireWorld, rover, scenario } from '../fixtures.js';

function fireWorld(): SimWorld {
  return oneFireWorld();
}

function pixel(data: Uint8Array, width: number, u: number, v: number): [number, number, number] {
  const o = (v * width + u) * 3;
  return [data[o]!, data[o + 1]!, data[o + 2]!];
}

describe('CameraRenderer', () => {
  it('renders an rgb8 frame of the requested size', () => {
    const w = fireWorld();
    const cam = new CameraRenderer(w, { width: 320, height: 240, fovDeg: 90 }, w.rng.stream('c'));
    const { data } = cam.render({ x: 50, y: 50, z: 30, yawRad: 0, pitchRad: Math.PI / 2, rollRad: 0 }, 0);
    expect(data.length).toBe(320 * 240 * 3);
  });

  it('shows a fire as bright orange pixels where it projects, and labels it', () => {
    const w = fireWorld();
    const cam = new CameraRenderer(w, { width: 320, height: 240, fovDeg: 90 }, w.rng.stream('c'), 0);
    // Looking straight down from 30 m over (50, 50) with yaw 0: image up is +x (east), image right is -y (south).
    const { data, boxes } = cam.render({ x: 50, y: 50, z: 30, yawRad: 0, pitchRad: Math.PI / 2, rollRad: 0 }, 0);
    const f = cam.focalPx;
    // The fire cell centre (62.5, 37.5) is 12.5 m east (up in the image) and 12.5 m south (right).
    const u = Math.round(160 + (f * 12.5) / 30);
    const v = Math.round(120 - (f * 12.5) / 30);
    const [r, g, b] = pixel(data, 320, u, v);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeGreaterThan(100);
    expect(b).toBeLessThan(120);
    // Far from the fire the ground is green and darker.
    const [r2, g2] = pixel(data, 320, 20, 220);
    expect(r2).toBeLessThan(150);
    expect(g2).toBeGreaterThan(r2);
    const fire = boxes.find((x) => x.cls === 'fire');
    expect(fire).toBeDefined();
    expect(u).toBeGreaterThanOrEqual(fire!.x);
    expect(u).toBeLessThan(fire!.x + fire!.w);
  });

  it('draws a wall ahead of a forward camera and hides what stands behind it', () => {
    const sc = parseScenario(
      scenario({
        walls: [
          {
            points: [
              [30, -50],
              [30, 150],
            ],
            heightM: 3,
            thicknessM: 0.2,
            colour: [200, 40, 40],
          },
        ],
        persons: [{ id: 'hidden', path: [[40, 10]], loop: false, startS: 0, speedMps: 1, colour: [0, 0, 255] }],
      }),
    );
    const w = new SimWorld({ scenario: sc, platform: rover, seed: 1 });
    const cam = new CameraRenderer(w, { width: 160, height: 120, fovDeg: 90 }, w.rng.stream('c'), 0);
    const { data, boxes } = cam.render({ x: 10, y: 10, z: 0.5, yawRad: 0, pitchRad: 0, rollRad: 0 }, 0);
    const [r, g, b] = pixel(data, 160, 80, 58);
    expect(r).toBeGreaterThan(g + 50);
    expect(r).toBeGreaterThan(b + 50);
    expect(boxes.find((x) => x.id === 'hidden')).toBeUndefined();
  });

  it('renders the same frame for the same seed and time', () => {
    const a = fireWorld();
    const b = fireWorld();
    const pose = { x: 50, y: 50, z: 30, yawRad: 0.3, pitchRad: 1.2, rollRad: 0 };
    const fa = new CameraRenderer(a, { width: 64, height: 48, fovDeg: 90 }, a.rng.stream('c')).render(pose, 3).data;
    const fb = new CameraRenderer(b, { width: 64, height: 48, fovDeg: 90 }, b.rng.stream('c')).render(pose, 3).data;
    expect(Buffer.from(fa).equals(Buffer.from(fb))).toBe(true);
  });
});
