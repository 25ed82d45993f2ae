import type { XY } from './lawnmower.js';
import { distanceXY, gotoLocal, type BehaviorInput, type BehaviorLogic, type BehaviorOutput } from './logic.js';

/** Fly home at `altitudeM`, then land; done once on the ground. */
export class ReturnHome implements BehaviorLogic {
  readonly kind: string = 'return_home';
  private landing = false;
  private finished = false;

  constructor(
    readonly homeXY: XY | undefined,
    private readonly altitudeM: number | undefined,
    private readonly speedMps: number | undefined,
  ) {}

  step(input: BehaviorInput): BehaviorOutput {
    const pose = input.pose;
    if (pose === undefined) return { phase: 'waiting for pose' };
    if (this.finished) return { phase: 'done' };
    const home = this.homeXY ?? [pose.positionM.x, pose.positionM.y];
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

/** Land where you are; done once on the ground. */
export class Land extends ReturnHome {
  override readonly kind = 'land';

  constructor() {
    super(undefined, undefined, undefined);
  }
}
