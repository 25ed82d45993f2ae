import type { GnssFix } from '../../runtime/index.js';
import type { RandomStream } from '../random.js';
import type { SimWorld } from '../world.js';
import { gaussMarkov, mountPosition, type Mount, type SimSensor } from './sensor.js';

export interface GnssOptions {
  /** White noise per fix, horizontal, m. */
  readonly noiseM?: number;
  /** Slowly wandering error (multipath, atmosphere), horizontal sigma m and correlation time s. */
  readonly biasM?: number;
  readonly biasTauS?: number;
  /** Vertical error is this many times the horizontal. */
  readonly verticalFactor?: number;
  readonly dropout?: number;
  readonly latencyMs?: number;
}

/**
 * GNSS receiver: the antenna's true position converted to WGS-84 through the
 * world's exact ENU frame, with white noise plus a Gauss-Markov bias, and the
 * covariance it claims. During a scripted outage it reports status -1 (no fix)
 * with NaN coordinates, as a receiver without a fix does.
 */
export class SimGnss implements SimSensor<'gnss'> {
  readonly kind = 'gnss' as const;
  readonly latencyMs: number;
  private readonly o: Required<GnssOptions>;
  private bx = 0;
  private by = 0;
  private bz = 0;
  private lastS: number | undefined;

  constructor(
    readonly id: string,
    private readonly frameId: string,
    private readonly mount: Mount,
    private readonly rng: RandomStream,
    options: GnssOptions = {},
  ) {
    this.o = { noiseM: 0.6, biasM: 1.0, biasTauS: 60, verticalFactor: 1.8, dropout: 0.01, latencyMs: 80, ...options };
    this.latencyMs = this.o.latencyMs;
    this.bx = rng.gaussian(0, this.o.biasM);
    this.by = rng.gaussian(0, this.o.biasM);
    this.bz = rng.gaussian(0, this.o.biasM * this.o.verticalFactor);
  }

  sample(world: SimWorld): GnssFix | undefined {
    const t = world.timeS;
    const dtS = this.lastS === undefined ? 0 : t - this.lastS;
    this.lastS = t;
    const o = this.o;
    const rng = this.rng;
    this.bx = gaussMarkov(this.bx, o.biasM, o.biasTauS, dtS, rng.gaussian());
    this.by = gaussMarkov(this.by, o.biasM, o.biasTauS, dtS, rng.gaussian());
    this.bz = gaussMarkov(this.bz, o.biasM * o.verticalFactor, o.biasTauS, dtS, rng.gaussian());
    const p = mountPosition(world, this.mount);
    const ex = p.x + this.bx + rng.gaussian(0, o.noiseM);
    const ey = p.y + this.by + rng.gaussian(0, o.noiseM);
    const ez = p.z + this.bz + rng.gaussian(0, o.noiseM * o.verticalFactor);
    const dropped = rng.chance(o.dropout);
    if (world.faultActive('gnss_outage', this.id)) {
      return {
        frameId: this.frameId,
        status: -1,
        latDeg: Number.NaN,
        lonDeg: Number.NaN,
        altM: Number.NaN,
        positionCovariance: [-1, 0, 0, 0, -1, 0, 0, 0, -1],
      };
    }
    if (dropped) return undefined;
    const geo = world.frame.toGeodetic(ex, ey, ez);
    const h = o.noiseM ** 2 + o.biasM ** 2;
    const v = h * o.verticalFactor ** 2;
    return {
      frameId: this.frameId,
      status: 0,
      latDeg: geo.latDeg,
      lonDeg: geo.lonDeg,
      altM: geo.altM,
      positionCovariance: [h, 0, 0, 0, h, 0, 0, 0, v],
    };
  }
}
