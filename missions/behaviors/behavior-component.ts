import {
  batteryTopic,
  eventsTopic,
  operatorTopic,
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
  /** Paused by an operator: the robot holds and the state machine does not advance. */
  private pausedBy: string | undefined;

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
      ctx.bus.subscribe(operatorTopic, (m) => this.onOperator(ctx, m.data.operator, m.data.command.kind), {
        ...sub,
        policy: { kind: 'reliable' },
      }),
    );
    const periodMs = 1000 / (this.options.tickHz ?? 5);
    this.timer = ctx.clock.setInterval(() => this.tick(ctx), periodMs);
  }

  stop(): void {
    this.timer?.cancel();
    for (const s of this.subs) s.unsubscribe();
  }

  get paused(): boolean {
    return this.pausedBy !== undefined;
  }

  private onOperator(ctx: ComponentContext, operator: string, kind: string): void {
    const now = ctx.clock.nowMs();
    if (kind === 'pause' && this.pausedBy === undefined) {
      this.pausedBy = operator;
      ctx.bus.publish(eventsTopic, {
        kind: 'behavior.paused',
        severity: 'warning',
        message: `paused by operator ${operator}`,
      });
      this.lastAction = undefined;
      this.propose(ctx, { kind: 'hold' }, now);
    } else if (kind === 'resume' && this.pausedBy !== undefined) {
      this.pausedBy = undefined;
      ctx.bus.publish(eventsTopic, {
        kind: 'behavior.resumed',
        severity: 'info',
        message: `resumed by operator ${operator}`,
      });
      // Propose the behavior's next action at once rather than after the re-propose interval.
      this.lastAction = undefined;
    }
  }

  private tick(ctx: ComponentContext): void {
    const now = ctx.clock.nowMs();
    if (this.pausedBy !== undefined) {
      this.propose(ctx, { kind: 'hold' }, now);
      return;
    }
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
