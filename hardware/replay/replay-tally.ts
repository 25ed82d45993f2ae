import { createHash } from 'node:crypto';
import {
  decisionsTopic,
  detectionsTopic,
  poseTopic,
  reliable,
  type Component,
  type ComponentContext,
  type Decision,
  type DetectionFrame,
  type Subscription,
  type Vec3,
} from '../../runtime/index.js';

/** What a replay produced, in the form `kestrel replay --json` prints it. */
export interface ReplayOutputs {
  readonly detections: {
    /** Frames the perception pipelines ran on. */
    readonly frames: number;
    readonly total: number;
    readonly byClass: Readonly<Record<string, number>>;
    /** sha256 of every detection (frame stamp, pipeline, class, score, box, track): equal digests, equal detections. */
    readonly digest: string;
  };
  readonly decisions: {
    readonly allow: number;
    readonly modify: number;
    readonly deny: number;
    readonly byCode: Readonly<Record<string, number>>;
    /** sha256 of every decision (time, proposal, verdict, rule, code, action). */
    readonly digest: string;
  };
  readonly poses: { readonly count: number; readonly last?: Vec3 };
}

/**
 * Counts and fingerprints a run's detections, guard decisions and poses. An
 * observer: started before the mission's components, so it sees the first
 * message. Times in the fingerprints are relative to the clock at start.
 */
export class ReplayTally implements Component {
  readonly name = 'replay-tally';
  readonly detectionFrames: DetectionFrame[] = [];
  readonly decisions: Decision[] = [];
  private poses = 0;
  private lastPose: Vec3 | undefined;
  private t0Ms = 0;
  private subs: Subscription[] = [];

  start(ctx: ComponentContext): void {
    this.t0Ms = ctx.clock.nowMs();
    const opts = { policy: reliable(), subscriber: this.name };
    this.subs = [
      ctx.bus.subscribe(detectionsTopic, (m) => void this.detectionFrames.push(m.data), opts),
      ctx.bus.subscribe(decisionsTopic, (m) => void this.decisions.push(m.data), opts),
      ctx.bus.subscribe(
        poseTopic,
        (m) => {
          this.poses++;
          this.lastPose = m.data.positionM;
        },
        opts,
      ),
    ];
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
  }

  outputs(): ReplayOutputs {
    const byClass: Record<string, number> = {};
    let total = 0;
    for (const f of this.detectionFrames) {
      for (const d of f.detections) {
        byClass[d.className] = (byClass[d.className] ?? 0) + 1;
        total++;
      }
    }
    const verdicts = { allow: 0, modify: 0, deny: 0 };
    const byCode: Record<string, number> = {};
    for (const d of this.decisions) {
      verdicts[d.verdict]++;
      byCode[d.code] = (byCode[d.code] ?? 0) + 1;
    }
    return {
      detections: {
        frames: this.detectionFrames.length,
        total,
        byClass: sortKeys(byClass),
        digest: digest(
          this.detectionFrames.map((f) => [
            f.frameStampMs - this.t0Ms,
            f.pipeline,
            f.detections.map((d) => [d.className, d.score, d.box.x1, d.box.y1, d.box.x2, d.box.y2, d.trackId ?? null]),
          ]),
        ),
      },
      decisions: {
        ...verdicts,
        byCode: sortKeys(byCode),
        digest: digest(
          this.decisions.map((d) => [
            d.decidedAtMs - this.t0Ms,
            d.proposalId,
            d.verdict,
            d.ruleId,
            d.code,
            d.action ?? null,
          ]),
        ),
      },
      poses: { count: this.poses, ...(this.lastPose === undefined ? {} : { last: this.lastPose }) },
    };
  }
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}
