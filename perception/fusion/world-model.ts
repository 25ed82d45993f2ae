import type { Target, Vec3 } from '../../runtime/index.js';

export interface WorldModelOptions {
  /** A sighting joins a target of its class within max(gateM, 3σ). */
  readonly gateM: number;
  /** Targets unseen for this long are dropped, ms. */
  readonly expireMs: number;
  /** Sightings before a target is reported (one detection is not a fire). */
  readonly minSightings: number;
  /** Floor on a target's position variance, m²: repeated sightings of a moving person must not freeze it. */
  readonly minVarianceM2: number;
  /** A target may move: its position variance grows by this much per second between sightings, m²/s. */
  readonly motionNoiseM2PerS: number;
}

export const DEFAULT_WORLD_MODEL_OPTIONS: WorldModelOptions = {
  gateM: 8,
  expireMs: 30_000,
  minSightings: 3,
  minVarianceM2: 0.05,
  motionNoiseM2PerS: 4,
};

interface Entry {
  id: string;
  className: string;
  x: number;
  y: number;
  z: number;
  varX: number;
  varY: number;
  confidence: number;
  sightings: number;
  firstSeenMs: number;
  lastSeenMs: number;
}

export interface Sighting {
  readonly className: string;
  readonly positionM: Vec3;
  readonly varianceM2: { readonly x: number; readonly y: number };
  readonly score: number;
  readonly timeMs: number;
}

/**
 * What perception has found, in the world frame: one entry per physical
 * target. Repeated sightings merge by inverse-variance weighting (a static
 * target's estimate tightens as the robot flies over it); confidence grows as
 * independent evidence, 1 − Π(1 − score); stale targets expire.
 */
export class WorldModel {
  private readonly entries: Entry[] = [];
  private seq = 0;

  constructor(private readonly options: WorldModelOptions = DEFAULT_WORLD_MODEL_OPTIONS) {}

  /**
   * Adds a sighting; returns the id of the target it joined or created.
   * `hint` is the target a tracker already tied this object to (same track
   * id in the image): it is joined whatever the distance, so a moving vehicle
   * stays one target instead of leaving a trail of them.
   */
  observe(s: Sighting, hint?: string): string {
    const hinted =
      hint === undefined ? undefined : this.entries.find((e) => e.id === hint && e.className === s.className);
    const match = hinted ?? this.nearest(s);
    if (match === undefined) {
      const id = `${s.className}-${++this.seq}`;
      this.entries.push({
        id,
        className: s.className,
        x: s.positionM.x,
        y: s.positionM.y,
        z: s.positionM.z,
        varX: Math.max(s.varianceM2.x, this.options.minVarianceM2),
        varY: Math.max(s.varianceM2.y, this.options.minVarianceM2),
        confidence: s.score,
        sightings: 1,
        firstSeenMs: s.timeMs,
        lastSeenMs: s.timeMs,
      });
      return id;
    }
    const e = match;
    // Predict: the target may have moved since it was last seen.
    const dtS = Math.max(0, s.timeMs - e.lastSeenMs) / 1000;
    e.varX += this.options.motionNoiseM2PerS * dtS;
    e.varY += this.options.motionNoiseM2PerS * dtS;
    const wx = e.varX / (e.varX + s.varianceM2.x);
    const wy = e.varY / (e.varY + s.varianceM2.y);
    e.x += wx * (s.positionM.x - e.x);
    e.y += wy * (s.positionM.y - e.y);
    e.z = s.positionM.z;
    e.varX = Math.max((1 - wx) * e.varX, this.options.minVarianceM2);
    e.varY = Math.max((1 - wy) * e.varY, this.options.minVarianceM2);
    e.confidence = 1 - (1 - e.confidence) * (1 - Math.min(s.score, 0.99));
    e.sightings++;
    e.lastSeenMs = Math.max(e.lastSeenMs, s.timeMs);
    return e.id;
  }

  /** Drops targets unseen for `expireMs`; returns the ids dropped. */
  expire(nowMs: number): string[] {
    const dropped: string[] = [];
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i] as Entry;
      if (nowMs - e.lastSeenMs > this.options.expireMs) {
        dropped.push(e.id);
        this.entries.splice(i, 1);
      }
    }
    return dropped;
  }

  /** Confirmed targets (seen at least `minSightings` times). */
  targets(): Target[] {
    return this.entries
      .filter((e) => e.sightings >= this.options.minSightings)
      .map((e) => ({
        id: e.id,
        className: e.className,
        positionM: { x: e.x, y: e.y, z: e.z },
        varianceM2: { x: e.varX, y: e.varY },
        confidence: e.confidence,
        lastSeenMs: e.lastSeenMs,
      }));
  }

  private nearest(s: Sighting): Entry | undefined {
    let best: Entry | undefined;
    let bestD = Infinity;
    for (const e of this.entries) {
      if (e.className !== s.className) continue;
      const d = Math.hypot(e.x - s.positionM.x, e.y - s.positionM.y);
      const sigma = Math.sqrt(Math.max(e.varX + s.varianceM2.x, e.varY + s.varianceM2.y));
      if (d <= Math.max(this.options.gateM, 3 * sigma) && d < bestD) {
        best = e;
        bestD = d;
      }
    }
    return best;
  }
}
