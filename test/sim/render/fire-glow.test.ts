import { describe, expect, it } from 'vitest';
import { CameraRenderer, type SimWorld } from '../../../sim/index.js';
import { oneFireWorld } from '../fixtures.js';

/** One burning cell at (62.5, 37.5) on a dark night, with or without the glow it casts. */
function nightWorld(fireGlowM: number): SimWorld {
  return oneFireWorld({ lighting: { ambient: 0.15, fireGlowM } });
}

function render(fireGlowM: number) {
  const w = nightWorld(fireGlowM);
  const cam = new CameraRenderer(w, { width: 160, height: 120, fovDeg: 90 }, w.rng.stream('c'), 0);
  return cam.render({ x: 62.5, y: 37.5, z: 30, yawRad: 0, pitchRad: Math.PI / 2, rollRad: 0 }, 0);
}

describe('fire glow (lighting.fireGlowM)', () => {
  it('lights the ground around a burning cell in orange, outside the fire label', () => {
    const dark = render(0);
    const glow = render(7);
    expect(glow.boxes).toEqual(dark.boxes);
    const fire = glow.boxes.find((b) => b.cls === 'fire')!;
    // A pixel a few metres from the flames, outside the fire's box: brighter and redder with the glow.
    const u = Math.min(159, fire.x + fire.w + 2);
    const v = Math.round(fire.y + fire.h / 2);
    const o = (v * 160 + u) * 3;
    expect(glow.data[o]! - dark.data[o]!).toBeGreaterThan(10);
    expect(glow.data[o]! - dark.data[o]!).toBeGreaterThan(glow.data[o + 2]! - dark.data[o + 2]!);
  });
});
