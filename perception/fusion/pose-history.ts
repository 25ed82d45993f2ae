import { wrapAngle, yawToQuaternion, type PoseEstimate } from '../../runtime/index.js';

/**
 * Recent poses by source stamp, so a camera frame is placed with the pose at
 * its capture time, not the pose when the detector finished (at 10 m/s, 100 ms
 * of inference is a metre). Linear interpolation between neighbours; no
 * extrapolation beyond `maxGapMs`.
 */
export class PoseHistory {
  private readonly stamps: number[] = [];
  private readonly poses: PoseEstimate[] = [];

  constructor(
    private readonly keepMs: number,
    private readonly maxGapMs: number,
  ) {}

  add(stampMs: number, pose: PoseEstimate): void {
    const last = this.stamps[this.stamps.length - 1];
    if (last !== undefined && stampMs <= last) return; // out of order: the newer pose already covers it
    this.stamps.push(stampMs);
    this.poses.push(pose);
    let drop = 0;
    while (drop < this.stamps.length - 1 && (this.stamps[drop] as number) < stampMs - this.keepMs) drop++;
    if (drop > 0) {
      this.stamps.splice(0, drop);
      this.poses.splice(0, drop);
    }
  }

  /** The pose at `stampMs`, or undefined when none is close enough. */
  at(stampMs: number): PoseEstimate | undefined {
    const n = this.stamps.length;
    if (n === 0) return undefined;
    let hi = 0;
    while (hi < n && (this.stamps[hi] as number) < stampMs) hi++;
    if (hi === 0) return stampMs >= (this.stamps[0] as number) - this.maxGapMs ? this.poses[0] : undefined;
    if (hi === n) return stampMs <= (this.stamps[n - 1] as number) + this.maxGapMs ? this.poses[n - 1] : undefined;
    const t0 = this.stamps[hi - 1] as number;
    const t1 = this.stamps[hi] as number;
    const a = this.poses[hi - 1] as PoseEstimate;
    const b = this.poses[hi] as PoseEstimate;
    if (t1 - t0 > 2 * this.maxGapMs) return undefined;
    const f = (stampMs - t0) / (t1 - t0);
    const lerp = (p: number, q: number): number => p + f * (q - p);
    const yaw = wrapAngle(a.yawRad + f * wrapAngle(b.yawRad - a.yawRad));
    return {
      ...a,
      positionM: {
        x: lerp(a.positionM.x, b.positionM.x),
        y: lerp(a.positionM.y, b.positionM.y),
        z: lerp(a.positionM.z, b.positionM.z),
      },
      yawRad: yaw,
      orientation: yawToQuaternion(yaw),
    };
  }
}
