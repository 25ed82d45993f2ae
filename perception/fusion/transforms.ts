import type { Quaternion, Vec3 } from '../../runtime/index.js';

/**
 * A rigid transform (rotation as a row-major 3x3 matrix plus translation),
 * enough for REP-105 chains: map → base_link → camera_link → optical frame.
 */
export interface Transform {
  readonly r: readonly number[];
  readonly t: Vec3;
}

export const IDENTITY: Transform = { r: [1, 0, 0, 0, 1, 0, 0, 0, 1], t: { x: 0, y: 0, z: 0 } };

const DEG = Math.PI / 180;

/** R = Rz(yaw) Ry(pitch) Rx(roll), the ROS fixed-axis convention. */
export function fromRpy(rollRad: number, pitchRad: number, yawRad: number, t: Vec3 = { x: 0, y: 0, z: 0 }): Transform {
  const cr = Math.cos(rollRad), sr = Math.sin(rollRad); // prettier-ignore
  const cp = Math.cos(pitchRad), sp = Math.sin(pitchRad); // prettier-ignore
  const cy = Math.cos(yawRad), sy = Math.sin(yawRad); // prettier-ignore
  return {
    r: [
      cy * cp,
      cy * sp * sr - sy * cr,
      cy * sp * cr + sy * sr,
      sy * cp,
      sy * sp * sr + cy * cr,
      sy * sp * cr - cy * sr,
      -sp,
      cp * sr,
      cp * cr,
    ],
    t,
  };
}

export function fromMount(
  xyzM: readonly [number, number, number],
  rpyDeg: readonly [number, number, number],
): Transform {
  return fromRpy(rpyDeg[0] * DEG, rpyDeg[1] * DEG, rpyDeg[2] * DEG, { x: xyzM[0], y: xyzM[1], z: xyzM[2] });
}

export function fromQuaternion(q: Quaternion, t: Vec3): Transform {
  const { x, y, z, w } = q;
  return {
    r: [
      1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
      2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
      2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
    ], // prettier-ignore
    t,
  };
}

/** a ∘ b: first b, then a (parent_T_child chains: map_T_base ∘ base_T_camera = map_T_camera). */
export function compose(a: Transform, b: Transform): Transform {
  const r = new Array<number>(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      r[i * 3 + j] =
        (a.r[i * 3] as number) * (b.r[j] as number) +
        (a.r[i * 3 + 1] as number) * (b.r[3 + j] as number) +
        (a.r[i * 3 + 2] as number) * (b.r[6 + j] as number);
    }
  }
  return { r, t: apply(a, b.t) };
}

export function apply(tf: Transform, p: Vec3): Vec3 {
  const v = rotate(tf, p);
  return { x: v.x + tf.t.x, y: v.y + tf.t.y, z: v.z + tf.t.z };
}

export function rotate(tf: Transform, v: Vec3): Vec3 {
  const r = tf.r;
  return {
    x: (r[0] as number) * v.x + (r[1] as number) * v.y + (r[2] as number) * v.z,
    y: (r[3] as number) * v.x + (r[4] as number) * v.y + (r[5] as number) * v.z,
    z: (r[6] as number) * v.x + (r[7] as number) * v.y + (r[8] as number) * v.z,
  };
}

/**
 * A small transform tree: named frames with a parent and a static transform
 * (sensor mounts). `lookup(target, source)` chains up to the common root.
 */
export class TransformTree {
  private readonly frames = new Map<string, { parent: string; tf: Transform }>();

  set(parent: string, child: string, tf: Transform): void {
    if (parent === child) throw new RangeError(`frame "${child}" cannot be its own parent`);
    this.frames.set(child, { parent, tf });
  }

  /** parent_T_frame for every ancestor up to the root: root_T_frame. */
  private toRoot(frame: string): { root: string; tf: Transform } {
    let tf = IDENTITY;
    let current = frame;
    for (let depth = 0; depth < 64; depth++) {
      const link = this.frames.get(current);
      if (link === undefined) return { root: current, tf };
      tf = compose(link.tf, tf);
      current = link.parent;
    }
    throw new RangeError(`transform chain from "${frame}" is a loop`);
  }

  /** target_T_source: maps points in `source` into `target`. */
  lookup(target: string, source: string): Transform {
    const a = this.toRoot(source);
    const b = this.toRoot(target);
    if (a.root !== b.root) throw new RangeError(`frames "${source}" and "${target}" are not connected`);
    return compose(invert(b.tf), a.tf);
  }
}

export function invert(tf: Transform): Transform {
  const r = tf.r;
  const rt = [r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]] as number[];
  const t = rotate({ r: rt, t: tf.t }, tf.t);
  return { r: rt, t: { x: -t.x, y: -t.y, z: -t.z } };
}
