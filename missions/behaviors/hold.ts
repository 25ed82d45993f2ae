import type { XY } from './lawnmower.js';
import { distanceXY, gotoLocal, type BehaviorInput, type BehaviorLogic, type BehaviorOutput } from './logic.js';

/** Close enough to the hold point to stop there, m (the autopilot's own acceptance radius is about this). */
const ARRIVED_M = 3;
/** Close enough to the hold altitude, m. */
const ARRIVED_ALT_M = 2;

export interface HoldOptions {
  /** Where to hold (a zone's centroid, local metres); absent: where the robot is. */
  readonly at?: XY;
  /** Altitude to hold at, m above home; absent: the altitude it has. */
  readonly altitudeM?: number;
  /** Speed on the way to the hold point, m/s. */
  readonly speedMps?: number;
}

/**
 * Stay where you are, or fly to a point (and altitude) first and stay there:
 * "hold over the ridge at 60 m" goes to the ridge. Proposes one hold on
 * arrival, then nothing.
 */
export class Hold implements BehaviorLogic {
  readonly kind = 'hold';
  private target: XY | undefined;
  private proposed = false;

  constructor(private readonly options: HoldOptions = {}) {
    this.target = options.at;
  }

  step(input: BehaviorInput): BehaviorOutput {
    if (this.proposed) return { phase: 'holding' };
    const { altitudeM, speedMps } = this.options;
    if (this.target !== undefined || altitudeM !== undefined) {
      const pose = input.pose;
      if (pose === undefined) return { phase: 'waiting for pose' };
      const target: XY = (this.target ??= [pose.positionM.x, pose.positionM.y]);
      const there =
        distanceXY(pose.positionM, target) <= ARRIVED_M &&
        (altitudeM === undefined || Math.abs(pose.positionM.z - altitudeM) <= ARRIVED_ALT_M);
      if (!there) return { phase: 'to hold point', action: gotoLocal(target[0], target[1], altitudeM, speedMps) };
    }
    this.proposed = true;
    return { phase: 'holding', action: { kind: 'hold' } };
  }
}
