import type { Rgb, XY } from '../geometry.js';
import type { RandomStream } from '../random.js';
import type { ScenarioPerson } from '../scenario/schema.js';
import { PathFollower } from './path.js';

/** A walking person: along a path, or wandering inside a circle with pauses. */
export class Person {
  readonly id: string;
  readonly colour: Rgb;
  readonly heightM = 1.75;
  readonly radiusM = 0.25;
  x: number;
  y: number;
  headingRad = 0;
  private readonly follower: PathFollower | undefined;
  private readonly wander: { cx: number; cy: number; r: number; speedMps: number; startS: number } | undefined;
  private goal: XY | undefined;
  private pauseS = 0;

  constructor(
    spec: ScenarioPerson,
    private readonly rng: RandomStream,
  ) {
    this.id = spec.id;
    this.colour = spec.colour;
    if ('wander' in spec) {
      this.wander = {
        cx: spec.wander.center[0],
        cy: spec.wander.center[1],
        r: spec.wander.radiusM,
        speedMps: spec.speedMps,
        startS: spec.startS,
      };
      this.x = spec.wander.center[0];
      this.y = spec.wander.center[1];
    } else {
      this.follower = new PathFollower(spec.path, spec.speedMps, spec.loop, spec.startS);
      this.x = this.follower.x;
      this.y = this.follower.y;
      this.headingRad = this.follower.headingRad;
    }
  }

  step(dtS: number, nowS: number): void {
    if (this.follower !== undefined) {
      this.follower.step(dtS, nowS);
      this.x = this.follower.x;
      this.y = this.follower.y;
      this.headingRad = this.follower.headingRad;
      return;
    }
    const w = this.wander;
    if (w === undefined || nowS < w.startS) return;
    if (this.pauseS > 0) {
      this.pauseS -= dtS;
      return;
    }
    if (this.goal === undefined) {
      // Uniform over the disc: sqrt of a uniform radius.
      const r = w.r * Math.sqrt(this.rng.next());
      const a = this.rng.uniform(0, 2 * Math.PI);
      this.goal = [w.cx + r * Math.cos(a), w.cy + r * Math.sin(a)];
    }
    const dx = this.goal[0] - this.x;
    const dy = this.goal[1] - this.y;
    const d = Math.hypot(dx, dy);
    const stepM = w.speedMps * dtS;
    if (d <= stepM) {
      this.x = this.goal[0];
      this.y = this.goal[1];
      this.goal = undefined;
      this.pauseS = this.rng.uniform(0.5, 4);
      return;
    }
    this.headingRad = Math.atan2(dy, dx);
    this.x += (dx / d) * stepM;
    this.y += (dy / d) * stepM;
  }
}
