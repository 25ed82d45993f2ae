import {
  batteryTopic,
  eventsTopic,
  poseTopic,
  proposalsTopic,
  targetsTopic,
  type Action,
  type Component,
  type ComponentContext,
  type PoseEstimate,
  type Subscription,
  type Target,
  type TimerHandle,
} from '../../runtime/index.js';
import type { BehaviorLogic } from './logic.js';

export interface BehaviorComponentOptions {
  /** How often the behavior decides, Hz. Default 5. */
  readonly tickHz?: number;
  /** An unchanged action is proposed again after this long, ms, so the guard re-checks it. Default 1000. */
  readonly reproposeMs?: number;
}

/**
 * Runs a behavior's state machine on the clock and turns its output into
 * proposals. A proposal carries the stamp of the pose it was derived from,
 * so latency can be traced from sensor to actuator.
 */
export class BehaviorComponent implements Component {
  readonly name: string;
  private pose: PoseEstimate | undefined;
  private poseStampMs: number | undefined;
  private batteryPct: number | undefined;
  private targets: readonly Target[] = [];
  private readonly subs: Subscription[] = [];
  private timer: TimerHandle | undefined;
  private lastAction: string | undefined;
  private lastProposedMs = -Infinity;
  private phase = '';
  private seq = 0;

  constructor(
    private readonly logic: BehaviorLogic,
    private readonly options: BehaviorComponentOptions = {},
  ) {
    this.name = `behavior-${logic.kind.replace(/_/g, '-')}`;
  }

  start(ctx: ComponentContext): void {
    const sub = { subscriber: this.name };
    this.subs.push(
      ctx.bus.subscribe(
        poseTopic,
        (m) => {
          this.pose = m.data;
          this.poseStampMs = m.stampMs;
        },
        sub,
      ),
      ctx.bus.subscribe(
        batteryTopic,
        (m) => {
          this.batteryPct = m.data.percent;
        },
        sub,
      ),
      ctx.bus.subscribe(
        targetsTopic,
        (m) => {
          this.targets = m.data;
        },
        sub,
      ),
    );
    const periodMs = 1000 / (this.options.tickHz ?? 5);
    this.timer = ctx.clock.setInterval(() => this.tick(ctx), periodMs);
  }

  stop(): void {
    this.timer?.cancel();
    for (const s of this.subs) s.unsubscribe();
  }

  private tick(ctx: ComponentContext): void {
    const now = ctx.clock.nowMs();
    const out = this.logic.step({
      nowMs: now,
      targets: this.targets,
      ...(this.pose === undefined ? {} : { pose: this.pose }),
      ...(this.poseStampMs === undefined ? {} : { poseStampMs: this.poseStampMs }),
      ...(this.batteryPct === undefined ? {} : { batteryPct: this.batteryPct }),
    });
    if (out.phase !== this.phase) {
      ctx.logger.info({ from: this.phase, to: out.phase }, 'phase');
      if (!/^(search|patrol) \d/.test(out.phase)) {
        ctx.bus.publish(eventsTopic, {
          kind: 'behavior.phase',
          severity: 'info',
          message: `phase ${out.phase}`,
          data: { phase: out.phase },
        });
      }
      this.phase = out.phase;
    }
    for (const e of out.events ?? []) ctx.bus.publish(eventsTopic, e);
    if (out.action !== undefined) this.propose(ctx, out.action, now);
  }

  private propose(ctx: ComponentContext, action: Action, now: number): void {
    const key = JSON.stringify(action);
    if (key === this.lastAction && now - this.lastProposedMs < (this.options.reproposeMs ?? 1000)) return;
    this.lastAction = key;
    this.lastProposedMs = now;
    ctx.bus.publish(proposalsTopic, {
      id: `${this.name}-${String(this.seq++).padStart(6, '0')}`,
      source: `behavior/${this.logic.kind}`,
      action,
      proposedAtMs: now,
      ...(this.poseStampMs === undefined ? {} : { basis: { poseStampMs: this.poseStampMs } }),
    });
  }
}
