import type { LaserScan } from '../../runtime/index.js';
import { SegmentSet, castRay, newRayHit, rayCircle, type RayHit } from '../geometry.js';
import type { RandomStream } from '../random.js';
import type { SimWorld } from '../world.js';
import { mountPosition, type Mount, type SimSensor } from './sensor.js';

export interface LidarOptions {
  readonly beams?: number;
  /** First beam angle, rad, counter-clockwise from the sensor's forward axis. */
  readonly angleMinRad?: number;
  /** Angular span of the scan, rad. Default a full turn. */
  readonly spanRad?: number;
  readonly rangeMinM?: number;
  readonly rangeMaxM?: number;
  readonly noiseM?: number;
  /** Chance that a beam returns nothing (dark or glancing surfaces). */
  readonly beamDropout?: number;
  readonly latencyMs?: number;
}

/**
 * A 2D scanning lidar: one ray per beam in the horizontal plane at the
 * sensor's height, cast against every wall and obstacle face taller than that
 * plane, persons (circles) and traffic (boxes). No return is +Infinity (REP-117).
 */
export class SimLidar implements SimSensor<'lidar'> {
  readonly kind = 'lidar' as const;
  readonly latencyMs: number;
  private readonly o: Required<LidarOptions>;
  private readonly hit: RayHit = newRayHit();
  private readonly moving: SegmentSet;
  private readonly tall: SegmentSet;
  private tallAtM = Number.NaN;

  constructor(
    readonly id: string,
    private readonly frameId: string,
    private readonly mount: Mount,
    private readonly rng: RandomStream,
    world: SimWorld,
    options: LidarOptions = {},
  ) {
    this.o = {
      beams: 360,
      angleMinRad: -Math.PI,
      spanRad: 2 * Math.PI,
      rangeMinM: 0.15,
      rangeMaxM: 30,
      noiseM: 0.015,
      beamDropout: 0.005,
      latencyMs: 10,
      ...options,
    };
    this.latencyMs = this.o.latencyMs;
    this.moving = new SegmentSet(Math.max(1, world.traffic.length * 4));
    this.tall = new SegmentSet(Math.max(1, world.segments.count));
  }

  sample(world: SimWorld): LaserScan {
    const o = this.o;
    const p = mountPosition(world, this.mount);
    this.selectTall(world, p.z);
    this.moving.clear();
    for (const v of world.traffic) {
      if (v.heightM < p.z) continue;
      const c = Math.cos(v.yawRad);
      const s = Math.sin(v.yawRad);
      const hl = v.lengthM / 2;
      const hw = v.widthM / 2;
      const corner = (a: number, b: number): [number, number] => [v.x + a * c - b * s, v.y + a * s + b * c];
      this.moving.addPolygon([corner(hl, hw), corner(-hl, hw), corner(-hl, -hw), corner(hl, -hw)], v.heightM, v.colour);
    }
    const persons = world.persons.filter((q) => q.heightM >= p.z);
    const n = o.beams;
    const inc = o.spanRad / n;
    const ranges = new Float32Array(n);
    const heading = world.vehicle.state.yawRad + this.mount.yawRad;
    for (let i = 0; i < n; i++) {
      const a = heading + o.angleMinRad + i * inc;
      const dx = Math.cos(a);
      const dy = Math.sin(a);
      let r = castRay(this.tall, p.x, p.y, dx, dy, o.rangeMaxM, this.hit).distanceM;
      r = Math.min(r, castRay(this.moving, p.x, p.y, dx, dy, o.rangeMaxM, this.hit).distanceM);
      for (const q of persons) r = Math.min(r, rayCircle(p.x, p.y, dx, dy, q.x, q.y, q.radiusM));
      const noisy = r + this.rng.gaussian(0, o.noiseM);
      const drop = this.rng.chance(o.beamDropout);
      ranges[i] = drop || !(r <= o.rangeMaxM) || noisy < o.rangeMinM ? Infinity : Math.min(noisy, o.rangeMaxM);
    }
    return {
      frameId: this.frameId,
      angleMinRad: o.angleMinRad,
      angleIncrementRad: inc,
      rangeMinM: o.rangeMinM,
      rangeMaxM: o.rangeMaxM,
      rangesM: ranges,
    };
  }

  /** Faces lower than the scan plane are invisible to it; rebuilt only when the sensor's height changes. */
  private selectTall(world: SimWorld, zM: number): void {
    if (zM === this.tallAtM) return;
    this.tallAtM = zM;
    const all = world.segments;
    this.tall.clear();
    for (let i = 0; i < all.count; i++) {
      if ((all.heightM[i] as number) < zM) continue;
      this.tall.add(
        [all.ax[i] as number, all.ay[i] as number],
        [all.bx[i] as number, all.by[i] as number],
        all.heightM[i] as number,
        [all.rgb[i * 3] as number, all.rgb[i * 3 + 1] as number, all.rgb[i * 3 + 2] as number],
      );
    }
  }
}
