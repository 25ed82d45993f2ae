import type { Vec3 } from '../../runtime/index.js';
import { apply, rotate, type Transform } from './transforms.js';

/** Pinhole intrinsics in pixels. */
export interface PinholeCamera {
  readonly width: number;
  readonly height: number;
  readonly fx: number;
  readonly fy: number;
  readonly cx: number;
  readonly cy: number;
}

/** Square pixels, principal point at the centre, focal length from the horizontal field of view. */
export function cameraFromFov(width: number, height: number, fovDeg: number): PinholeCamera {
  const fx = width / 2 / Math.tan((fovDeg * Math.PI) / 180 / 2);
  return { width, height, fx, fy: fx, cx: width / 2, cy: height / 2 };
}

export interface Ray {
  readonly origin: Vec3;
  readonly dir: Vec3;
}

/**
 * The ray through pixel (u, v), in the frame `frameTcamera` maps into. The
 * camera frame is camera_link (REP-103 FLU: x along the optical axis, y left,
 * z up); the optical frame's (right, down, forward) is converted here.
 */
export function pixelRay(cam: PinholeCamera, u: number, v: number, frameTcamera: Transform): Ray {
  const right = (u - cam.cx) / cam.fx;
  const down = (v - cam.cy) / cam.fy;
  const dirCam = { x: 1, y: -right, z: -down };
  return { origin: apply(frameTcamera, { x: 0, y: 0, z: 0 }), dir: rotate(frameTcamera, dirCam) };
}

/** Where a ray meets the horizontal plane z = groundZ; undefined when it never does (pointing at or above the horizon). */
export function intersectGround(ray: Ray, groundZ: number): Vec3 | undefined {
  if (ray.dir.z > -1e-6) return undefined;
  const t = (groundZ - ray.origin.z) / ray.dir.z;
  if (!(t > 0)) return undefined;
  return { x: ray.origin.x + t * ray.dir.x, y: ray.origin.y + t * ray.dir.y, z: groundZ };
}

export interface Located {
  readonly positionM: Vec3;
  /** Variance along x and y, m²: pixel error and pose error (position, height, heading) together. */
  readonly varianceM2: { readonly x: number; readonly y: number };
  readonly rangeM: number;
}

export interface LocaliseOptions {
  readonly groundZ: number;
  /** One-sigma error of the box's anchor point, px. */
  readonly pixelSigma: number;
  /**
   * Pose position variance, m². x and y move the ground point one for one;
   * z (camera height) moves it radially by its ground offset over the height:
   * at 45° off nadir a 1.5 m height error is a 1.5 m error on the ground, under
   * the camera none.
   */
  readonly poseVarianceM2: { readonly x: number; readonly y: number; readonly z?: number };
  /** Heading variance, rad²: moves the ground point across its bearing, by its ground range. */
  readonly yawVarianceRad2?: number;
}

/**
 * Puts a detection on the ground: the anchor is the box's bottom centre when
 * the camera looks ahead (where an upright object stands) and the centre when
 * it looks down. Uncertainty is propagated numerically: the anchor moved by
 * one pixel sigma in u and in v, projected, gives the spread at this range.
 */
export function localiseBox(
  box: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number },
  cam: PinholeCamera,
  mapTcamera: Transform,
  options: LocaliseOptions,
): Located | undefined {
  const axis = rotate(mapTcamera, { x: 1, y: 0, z: 0 });
  const lookingDown = axis.z < -Math.SQRT1_2;
  const u = (box.x1 + box.x2) / 2;
  const v = lookingDown ? (box.y1 + box.y2) / 2 : box.y2;
  const at = (du: number, dv: number): Vec3 | undefined =>
    intersectGround(pixelRay(cam, u + du, v + dv, mapTcamera), options.groundZ);
  const p = at(0, 0);
  if (p === undefined) return undefined;
  const s = options.pixelSigma;
  const pu = at(s, 0);
  const pv = at(0, s);
  if (pu === undefined || pv === undefined) return undefined;
  const o = mapTcamera.t;
  // Covariance of the ground point from independent u and v errors (Jacobian columns times sigma),
  // then the pose's: ∂p/∂z_camera = (p − o) / (o.z − ground) horizontally, ∂p/∂yaw = (−Δy, Δx).
  const dx = p.x - o.x;
  const dy = p.y - o.y;
  const height = o.z - options.groundZ;
  const varZ = options.poseVarianceM2.z ?? 0;
  const varYaw = options.yawVarianceRad2 ?? 0;
  const varX =
    (pu.x - p.x) ** 2 + (pv.x - p.x) ** 2 + options.poseVarianceM2.x + (dx / height) ** 2 * varZ + dy * dy * varYaw;
  const varY =
    (pu.y - p.y) ** 2 + (pv.y - p.y) ** 2 + options.poseVarianceM2.y + (dy / height) ** 2 * varZ + dx * dx * varYaw;
  return { positionM: p, varianceM2: { x: varX, y: varY }, rangeM: Math.hypot(p.x - o.x, p.y - o.y, p.z - o.z) };
}
