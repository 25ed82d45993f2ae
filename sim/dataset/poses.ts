import type { RandomStream } from '../random.js';
import type { CameraPose } from '../render/renderer.js';
import type { SimWorld } from '../world.js';

/** `down`: a drone's camera, nadir to 35° off nadir; `forward`: a ground robot's, near the horizon. */
export type DatasetView = 'down' | 'forward';

/** Something worth centring the camera near: most frames should show objects, some only ground. */
function focusPoint(world: SimWorld, rng: RandomStream): { x: number; y: number } {
  const roll = rng.next();
  const fire = world.fire;
  if (roll < 0.4 && fire !== undefined && fire.burningCount > 0) {
    const cells = fire.burningCells();
    const i = cells[rng.int(cells.length)] as number;
    return { x: fire.cellCenterX(i), y: fire.cellCenterY(i) };
  }
  if (roll < 0.75 && world.persons.length > 0) {
    const p = world.persons[rng.int(world.persons.length)];
    if (p !== undefined) return { x: p.x, y: p.y };
  }
  if (roll < 0.87 && world.traffic.length > 0) {
    const v = world.traffic[rng.int(world.traffic.length)];
    if (v !== undefined) return { x: v.x, y: v.y };
  }
  const b = world.scenario.bounds;
  return { x: rng.uniform(b.minX, b.maxX), y: rng.uniform(b.minY, b.maxY) };
}

/**
 * A camera pose that looks at a random focus from a random height, heading
 * and tilt; the focus lands anywhere in the picture, not only at its centre.
 * Down views span 15-70 m (the firefighting mission flies at 40 m).
 */
export function samplePose(world: SimWorld, rng: RandomStream, view: DatasetView, fovDeg: number): CameraPose {
  const focus = focusPoint(world, rng);
  const yawRad = rng.uniform(0, 2 * Math.PI);
  const halfTan = Math.tan((fovDeg * Math.PI) / 360);
  if (view === 'down') {
    const z = rng.uniform(15, 70);
    const pitchRad = rng.chance(0.55) ? Math.PI / 2 : rng.uniform((55 * Math.PI) / 180, Math.PI / 2);
    // Tilted: stand back so the optical axis meets the ground near the focus.
    const back = z / Math.tan(pitchRad);
    const spread = 0.55 * z * halfTan;
    const a = rng.uniform(0, 2 * Math.PI);
    const r = spread * Math.sqrt(rng.next());
    return {
      x: focus.x - back * Math.cos(yawRad) + r * Math.cos(a),
      y: focus.y - back * Math.sin(yawRad) + r * Math.sin(a),
      z,
      yawRad,
      pitchRad,
      rollRad: rng.uniform(-0.08, 0.08),
    };
  }
  const dist = rng.uniform(4, 45);
  const off = rng.uniform(-0.6, 0.6) * halfTan;
  return {
    x: focus.x - dist * Math.cos(yawRad + off),
    y: focus.y - dist * Math.sin(yawRad + off),
    z: rng.uniform(0.4, 2.5),
    yawRad,
    pitchRad: rng.uniform(-0.05, 0.3),
    rollRad: rng.uniform(-0.03, 0.03),
  };
}
