import { describe, expect, it } from 'vitest';
import { cameraFromFov, intersectGround, localiseBox, pixelRay } from '../../../perception/fusion/localise.js';
import { compose, fromMount, fromRpy, invert, apply, TransformTree } from '../../../perception/fusion/transforms.js';

const cam = cameraFromFov(640, 480, 90);

describe('transforms', () => {
  it('mount pitch +90° points the camera axis straight down', () => {
    const down = fromMount([0, 0, 0], [0, 90, 0]);
    const axis = apply({ r: down.r, t: { x: 0, y: 0, z: 0 } }, { x: 1, y: 0, z: 0 });
    expect(axis.x).toBeCloseTo(0, 12);
    expect(axis.z).toBeCloseTo(-1, 12);
  });

  it('invert undoes a transform and the tree chains frames', () => {
    const a = fromRpy(0.1, -0.2, 1.3, { x: 4, y: -2, z: 1 });
    const p = { x: 3, y: 5, z: -7 };
    const back = apply(invert(a), apply(a, p));
    expect(back.x).toBeCloseTo(p.x, 12);
    expect(back.y).toBeCloseTo(p.y, 12);
    expect(back.z).toBeCloseTo(p.z, 12);
    const tree = new TransformTree();
    tree.set('map', 'base_link', fromRpy(0, 0, Math.PI / 2, { x: 10, y: 0, z: 0 }));
    tree.set('base_link', 'camera', fromMount([1, 0, 0], [0, 0, 0]));
    const origin = apply(tree.lookup('map', 'camera'), { x: 0, y: 0, z: 0 });
    // 1 m ahead of a base facing north at (10, 0).
    expect(origin.x).toBeCloseTo(10, 12);
    expect(origin.y).toBeCloseTo(1, 12);
    expect(() => tree.lookup('map', 'nowhere')).toThrow(RangeError);
  });
});

describe('ground projection', () => {
  // A drone at 40 m, facing east, camera looking straight down.
  const mapTbase = fromRpy(0, 0, 0, { x: 100, y: 50, z: 40 });
  const mapTcam = compose(mapTbase, fromMount([0, 0, 0], [0, 90, 0]));

  it('the image centre is straight below', () => {
    const p = intersectGround(pixelRay(cam, 320, 240, mapTcam), 0)!;
    expect(p.x).toBeCloseTo(100, 9);
    expect(p.y).toBeCloseTo(50, 9);
  });

  it('the right edge of a 90° camera is one altitude to the right (south when facing east, looking down)', () => {
    const p = intersectGround(pixelRay(cam, 640, 240, mapTcam), 0)!;
    // Looking down with the body facing east, image-right is body-right = south (−y).
    expect(p.y).toBeCloseTo(50 - 40, 6);
    expect(p.x).toBeCloseTo(100, 6);
  });

  it('a ray at or above the horizon never reaches the ground', () => {
    const ahead = compose(fromRpy(0, 0, 0, { x: 0, y: 0, z: 10 }), fromMount([0, 0, 0], [0, 0, 0]));
    expect(intersectGround(pixelRay(cam, 320, 100, ahead), 0)).toBeUndefined();
  });

  it('localiseBox grows its uncertainty with range and includes the pose variance', () => {
    const near = localiseBox({ x1: 310, y1: 230, x2: 330, y2: 250 }, cam, mapTcam, {
      groundZ: 0,
      pixelSigma: 3,
      poseVarianceM2: { x: 0, y: 0 },
    })!;
    const highTcam = compose(fromRpy(0, 0, 0, { x: 100, y: 50, z: 120 }), fromMount([0, 0, 0], [0, 90, 0]));
    const far = localiseBox({ x1: 310, y1: 230, x2: 330, y2: 250 }, cam, highTcam, {
      groundZ: 0,
      pixelSigma: 3,
      poseVarianceM2: { x: 4, y: 4 },
    })!;
    expect(near.positionM.x).toBeCloseTo(100, 6);
    expect(far.varianceM2.x).toBeGreaterThan(near.varianceM2.x + 4);
    expect(far.rangeM).toBeCloseTo(120, 6);
  });

  it('height variance moves an oblique sighting radially by offset/height, one under the camera not at all', () => {
    const opts = { groundZ: 0, pixelSigma: 0, poseVarianceM2: { x: 0, y: 0, z: 2.25 } };
    const below = localiseBox({ x1: 319, y1: 239, x2: 321, y2: 241 }, cam, mapTcam, opts)!;
    // Right edge: 40 m south of a camera at 40 m, so a 1.5 m height error is 1.5 m on the ground, along y only.
    const edge = localiseBox({ x1: 639, y1: 239, x2: 641, y2: 241 }, cam, mapTcam, opts)!;
    expect(below.varianceM2.x).toBeCloseTo(0, 9);
    expect(below.varianceM2.y).toBeCloseTo(0, 9);
    expect(edge.positionM.y).toBeCloseTo(10, 6);
    expect(edge.varianceM2.y).toBeCloseTo(2.25, 6);
    expect(edge.varianceM2.x).toBeCloseTo(0, 9);
  });

  it('heading variance moves a sighting across its bearing by its ground range', () => {
    const yawSigma = 0.02;
    const edge = localiseBox({ x1: 639, y1: 239, x2: 641, y2: 241 }, cam, mapTcam, {
      groundZ: 0,
      pixelSigma: 0,
      poseVarianceM2: { x: 0, y: 0 },
      yawVarianceRad2: yawSigma ** 2,
    })!;
    // 40 m south of the camera: a heading error swings it east-west, 40 m × 0.02 rad = 0.8 m.
    expect(edge.varianceM2.x).toBeCloseTo((40 * yawSigma) ** 2, 6);
    expect(edge.varianceM2.y).toBeCloseTo(0, 9);
  });
});
