import type { Rgb } from '../geometry.js';
import type { ScenarioTraffic } from '../scenario/schema.js';
import { PathFollower } from './path.js';

/** Another vehicle in the scene (car, forklift, fire engine): a box moving along a path. */
export class TrafficVehicle {
  readonly id: string;
  readonly label: string;
  readonly lengthM: number;
  readonly widthM: number;
  readonly heightM: number;
  readonly colour: Rgb;
  private readonly follower: PathFollower;

  constructor(spec: ScenarioTraffic) {
    this.id = spec.id;
    this.label = spec.label;
    [this.lengthM, this.widthM, this.heightM] = spec.sizeM;
    this.colour = spec.colour;
    this.follower = new PathFollower(spec.path, spec.speedMps, spec.loop, spec.startS);
  }

  get x(): number {
    return this.follower.x;
  }

  get y(): number {
    return this.follower.y;
  }

  get yawRad(): number {
    return this.follower.headingRad;
  }

  step(dtS: number, nowS: number): void {
    this.follower.step(dtS, nowS);
  }
}
