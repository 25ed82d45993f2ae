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

describe('CameraRenderer labels', () => {
  /** The bounding box of the pixels that differ between two frames, or undefined when none do. */
  function changed(
    a: Uint8Array,
    b: Uint8Array,
    width: number,
  ): { x: number; y: number; w: number; h: number } | undefined {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < a.length; i += 3) {
      if (a[i] === b[i] && a[i + 1] === b[i + 1] && a[i + 2] === b[i + 2]) continue;
      const p = i / 3;
      const u = p % width;
      const v = (p - u) / width;
      x0 = Math.min(x0, u);
      x1 = Math.max(x1, u);
      y0 = Math.min(y0, v);
      y1 = Math.max(y1, v);
    }
    return x1 < x0 ? undefined : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
  }

  function personFrame(at: [number, number], z: number, dx: number) {
    const sc = parseScenario(
      scenario({ persons: [{ id: 'p', path: [at], loop: false, startS: 0, speedMps: 1, colour: [0, 0, 255] }] }),
    );
    const w = new SimWorld({ scenario: sc, platform: rover, seed: 1 });
    const cam = new CameraRenderer(w, { width: 320, height: 240, fovDeg: 90 }, w.rng.stream('c'), 0);
    return cam.render({ x: 50 + dx, y: 50, z, yawRad: 0.2, pitchRad: Math.PI / 2, rollRad: 0 }, 0);
  }

  // A label is what the image shows: a person a few pixels wide is boxed by exactly the pixels it covers,
  // wherever it falls between pixel centres (the candidate range around a disc is up to 2 px wider).
  it.each([
    [12, 0],
    [20, 0.013],
    [30, 0.021],
    [45, 0.037],
    [60, 0.05],
  ])('boxes a person seen from %d m (offset %d m) by the pixels it painted', (z, dx) => {
    const withPerson = personFrame([52, 51], z, dx);
    const without = personFrame([5000, 5000], z, dx);
    const label = withPerson.boxes.find((b) => b.id === 'p');
    expect(label).toBeDefined();
    expect(label!.w).toBeLessThan(12);
    expect(changed(withPerson.data, without.data, 320)).toEqual({
      x: label!.x,
      y: label!.y,
      w: label!.w,
      h: label!.h,
    });
  });
});
