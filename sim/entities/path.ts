import type { XY } from '../geometry.js';

/**
 * Moves a point along a polyline at constant speed: persons and traffic use
 * it. Pure state + `step(dtS, nowS)`.
 */
export class PathFollower {
  x: number;
  y: number;
  headingRad = 0;
  moving = false;
  private target = 1;

  constructor(
    private readonly path: readonly XY[],
    private readonly speedMps: number,
    private readonly loop: boolean,
    private readonly startS: number,
  ) {
    const first = path[0] ?? [0, 0];
    this.x = first[0];
    this.y = first[1];
    const second = path[1];
    if (second !== undefined) this.headingRad = Math.atan2(second[1] - first[1], second[0] - first[0]);
  }

  step(dtS: number, nowS: number): void {
    this.moving = false;
    if (nowS < this.startS || this.path.length < 2) return;
    let budget = this.speedMps * dtS;
    // A loop closes back to the first point; a guard bounds the work if points repeat.
    for (let guard = 0; budget > 0 && guard < this.path.length + 2; guard++) {
      if (this.target >= this.path.length) {
        if (!this.loop) return;
        this.target = 0;
      }
      const [tx, ty] = this.path[this.target] as XY;
      const dx = tx - this.x;
      const dy = ty - this.y;
      const d = Math.hypot(dx, dy);
      if (d > 1e-9) this.headingRad = Math.atan2(dy, dx);
      this.moving = true;
      if (d > budget) {
        this.x += (dx / d) * budget;
        this.y += (dy / d) * budget;
        return;
      }
      this.x = tx;
      this.y = ty;
      budget -= d;
      this.target++;
    }
  }
}
