import {
  decisionsTopic,
  poseTopic,
  reliable,
  targetsTopic,
  type MessageBus,
  type Subscription,
  type Target,
} from '../runtime/index.js';
import { simTruthTopic, type SimTruth } from '../sim/index.js';

export interface TrackPoint {
  readonly x: number;
  readonly y: number;
}

export interface DenialPoint extends TrackPoint {
  readonly code: string;
}

/** What a run leaves for its map: the estimated path, the true path (simulated runs), denials, targets, true fires and persons. */
export interface RunTrack {
  readonly path: readonly TrackPoint[];
  readonly truePath: readonly TrackPoint[];
  readonly denials: readonly DenialPoint[];
  readonly targets: readonly Target[];
  readonly truth: SimTruth | undefined;
}

/**
 * Records the run for its map, thinned to one point per `everyMs` of mission
 * time so a 30-minute run stays a few thousand points.
 */
export class RunTracker {
  private readonly path: TrackPoint[] = [];
  private readonly truePath: TrackPoint[] = [];
  private readonly denials: DenialPoint[] = [];
  private targets: readonly Target[] = [];
  private truth: SimTruth | undefined;
  private last: TrackPoint | undefined;
  private lastPathMs = -Infinity;
  private lastTruthMs = -Infinity;
  private readonly subs: Subscription[];

  constructor(
    bus: MessageBus,
    private readonly everyMs = 500,
  ) {
    const me = { subscriber: 'run-track' };
    this.subs = [
      bus.subscribe(
        poseTopic,
        (m) => {
          this.last = { x: m.data.positionM.x, y: m.data.positionM.y };
          if (m.stampMs - this.lastPathMs >= this.everyMs) {
            this.lastPathMs = m.stampMs;
            this.path.push(this.last);
          }
        },
        me,
      ),
      bus.subscribe(
        simTruthTopic,
        (m) => {
          this.truth = m.data;
          if (m.stampMs - this.lastTruthMs >= this.everyMs) {
            this.lastTruthMs = m.stampMs;
            this.truePath.push({ x: m.data.vehicle.positionM.x, y: m.data.vehicle.positionM.y });
          }
        },
        me,
      ),
      bus.subscribe(
        targetsTopic,
        (m) => {
          this.targets = m.data;
        },
        me,
      ),
      bus.subscribe(
        decisionsTopic,
        (m) => {
          if (m.data.verdict === 'deny' && this.last !== undefined)
            this.denials.push({ ...this.last, code: m.data.code });
        },
        { ...me, policy: reliable() },
      ),
    ];
  }

  result(): RunTrack {
    return {
      path: this.path,
      truePath: this.truePath,
      denials: this.denials,
      targets: this.targets,
      truth: this.truth,
    };
  }

  close(): void {
    for (const s of this.subs) s.unsubscribe();
  }
}
