import type { XY } from './lawnmower.js';
import { distanceXY, gotoLocal, type BehaviorInput, type BehaviorLogic, type BehaviorOutput } from './logic.js';

/** Fly home at `altitudeM`, then land; done once on the ground. */
export class ReturnHome implements BehaviorLogic {
  readonly kind: string = 'return_home';
  private landing = false;
  private finished = false;

  constructor(
    /** Where to land; absent: where the robot is. */
    private readonly destination?: XY,
    private readonly altitudeM?: number,
    private readonly speedMps?: number,
  ) {}

  /** Home, when this is a flight home: an operator's next retask keeps it. */
  get homeXY(): XY | undefined {
    return this.kind === 'return_home' ? this.destination : undefined;
  }

  step(input: BehaviorInput): BehaviorOutput {
    const pose = input.pose;
    if (pose === undefined) return { phase: 'waiting for pose' };
    if (this.finished) return { phase: 'done' };
    const home = this.destination ?? [pose.positionM.x, pose.positionM.y];
    if (!this.landing && distanceXY(pose.positionM, home) > 3) {
      return { phase: 'return_home', action: gotoLocal(home[0], home[1], this.altitudeM, this.speedMps) };
    }
    // Land is always commanded once, even on the ground, so the airframe is told to stay down.
    const first = !this.landing;
    this.landing = true;
    if (!first && pose.positionM.z <= 0.5) {
      this.finished = true;
      return {
        phase: 'done',
        events: [{ kind: 'behavior.done', severity: 'info', message: 'landed; mission complete' }],
      };
    }
    return { phase: 'land', action: { kind: 'land' } };
  }
}

/** Land where you are, or fly to a point first ("land over the quarry") and land there; done once on the ground. */
export class Land extends ReturnHome {
  override readonly kind = 'land';
}
