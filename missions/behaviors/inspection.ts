import type { RuntimeEvent } from '../../runtime/index.js';
import type { XY } from './lawnmower.js';
import { distanceXY, gotoLocal, type BehaviorInput, type BehaviorLogic, type BehaviorOutput } from './logic.js';

export interface InspectionPoint {
  readonly name: string;
  readonly at: XY;
  readonly dwellS: number;
}

/** Visit each point of interest, hold there for its dwell time, then return home. */
export class Inspection implements BehaviorLogic {
  readonly kind = 'inspection';
  private index = 0;
  private dwellUntilMs: number | undefined;
  private home: XY | undefined;

  constructor(
    private readonly points: readonly InspectionPoint[],
    private readonly speedMps: number,
  ) {}

  step(input: BehaviorInput): BehaviorOutput {
    const pose = input.pose;
    if (pose === undefined) return { phase: 'waiting for pose' };
    this.home ??= [pose.positionM.x, pose.positionM.y];
    const point = this.points[this.index];
    if (point === undefined) {
      if (distanceXY(pose.positionM, this.home) <= 1) return { phase: 'done', action: { kind: 'stop' } };
      return { phase: 'return_home', action: { kind: 'return_home' } };
    }
    const events: RuntimeEvent[] = [];
    if (this.dwellUntilMs === undefined && distanceXY(pose.positionM, point.at) <= 1) {
      this.dwellUntilMs = input.nowMs + point.dwellS * 1000;
      events.push({ kind: 'behavior.inspecting', severity: 'info', message: `inspecting ${point.name}` });
    }
    if (this.dwellUntilMs !== undefined) {
      if (input.nowMs < this.dwellUntilMs) return { phase: `inspect ${point.name}`, action: { kind: 'hold' }, events };
      events.push({ kind: 'behavior.inspected', severity: 'info', message: `${point.name} inspected` });
      this.index++;
      this.dwellUntilMs = undefined;
      return { phase: 'transit', action: { kind: 'hold' }, events };
    }
    return { phase: `to ${point.name}`, action: gotoLocal(point.at[0], point.at[1], undefined, this.speedMps), events };
  }
}
