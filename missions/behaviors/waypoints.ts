import type { PoseEstimate } from '../../runtime/index.js';
import type { XY } from './lawnmower.js';
import { distanceXY } from './logic.js';

/** Walks a list of waypoints: the current one is reached within `acceptanceM`. */
export class WaypointCursor {
  private index = 0;

  constructor(
    private readonly points: readonly XY[],
    private readonly acceptanceM: number,
    private readonly loop: boolean,
  ) {}

  /** The waypoint to fly to, advancing past reached ones; undefined when the route is done. */
  current(pose: PoseEstimate): XY | undefined {
    for (;;) {
      const p = this.points[this.index];
      if (p === undefined) return undefined;
      if (distanceXY(pose.positionM, p) > this.acceptanceM) return p;
      this.index++;
      if (this.index >= this.points.length && this.loop) this.index = 0;
    }
  }

  /** Gives up the current waypoint (the guard will not fly there). */
  skip(): void {
    this.index++;
    if (this.index >= this.points.length && this.loop) this.index = 0;
  }

  get progress(): { readonly index: number; readonly total: number } {
    return { index: Math.min(this.index, this.points.length), total: this.points.length };
  }
}
