import type { Mission } from '../missions/index.js';
import {
  batteryTopic,
  eventsTopic,
  operatorTopic,
  poseTopic,
  targetsTopic,
  type BatteryState,
  type Component,
  type ComponentContext,
  type OperatorMessage,
  type PoseEstimate,
  type Subscription,
  type Target,
} from '../runtime/index.js';
import type { DryRunStart } from './dry-run.js';
import { homeStart, TaskingPlanner, type PlanGenerator, type TaskingAnswer } from './planner.js';

/** How long a proposed plan waits for an operator's confirmation. */
export const PLAN_CONFIRM_TTL_MS = 120_000;
/** Requests waiting while the model works on one; more are refused rather than queued for minutes. */
const MAX_WAITING = 2;

interface Pending {
  readonly answer: TaskingAnswer;
  readonly expiresAtMs: number;
}

export interface TaskingComponentOptions {
  readonly mission: Mission;
  /** Loads the mission's language model (in configure, before anything moves). */
  readonly loadModel: () => Promise<PlanGenerator & { close?(): Promise<void> }>;
}

/**
 * Runs operator `task` requests through the mission's language model one at
 * a time, publishes each answer as a `tasking.answer` event (telemetry sends
 * it to the ground station), and turns a proposed plan into a `retask` only
 * when an operator confirms it (or at once where the mission does not
 * require confirmation). A failed or rejected request changes nothing.
 */
export class TaskingComponent implements Component {
  readonly name = 'tasking';
  private planner: TaskingPlanner | undefined;
  private model: (PlanGenerator & { close?(): Promise<void> }) | undefined;
  private readonly subs: Subscription[] = [];
  private readonly pending = new Map<string, Pending>();
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;
  private pose: PoseEstimate | undefined;
  private battery: BatteryState | undefined;
  private targets: readonly Target[] = [];

  constructor(private readonly options: TaskingComponentOptions) {}

  async configure(ctx: ComponentContext): Promise<void> {
    this.model = await this.options.loadModel();
    this.planner = new TaskingPlanner({ mission: this.options.mission, model: this.model, logger: ctx.logger });
    ctx.logger.info(
      { backend: this.model.info.backend, device: this.model.info.device, model: this.model.info.path },
      'tasking model ready',
    );
  }

  start(ctx: ComponentContext): void {
    const me = { subscriber: this.name };
    this.subs.push(
      ctx.bus.subscribe(poseTopic, (m) => void (this.pose = m.data), me),
      ctx.bus.subscribe(batteryTopic, (m) => void (this.battery = m.data), me),
      ctx.bus.subscribe(targetsTopic, (m) => void (this.targets = m.data), me),
      ctx.bus.subscribe(operatorTopic, (m) => this.onOperator(ctx, m.data), me),
    );
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs.length = 0;
    await this.queue;
    await this.model?.close?.();
  }

  private onOperator(ctx: ComponentContext, m: OperatorMessage): void {
    const c = m.command;
    if (c.kind === 'task') this.enqueue(ctx, m, c.request);
    else if (c.kind === 'confirm') this.confirm(ctx, m, c.proposalId);
    else if (c.kind === 'deny' && this.pending.delete(c.proposalId)) {
      ctx.bus.publish(eventsTopic, {
        kind: 'tasking.denied',
        severity: 'info',
        message: `plan ${c.proposalId} denied by operator ${m.operator}; the current plan keeps running`,
        data: { planId: c.proposalId, operator: m.operator },
      });
    }
  }

  private enqueue(ctx: ComponentContext, m: OperatorMessage, request: string): void {
    const planId = `task-${m.operator}-${m.commandId}`;
    if (this.waiting >= MAX_WAITING) {
      ctx.bus.publish(eventsTopic, {
        kind: 'tasking.busy',
        severity: 'warning',
        message: `request ${planId} refused: ${this.waiting} requests are already waiting for the model`,
        data: { planId },
      });
      return;
    }
    this.waiting++;
    this.queue = this.queue.then(async () => {
      try {
        await this.answer(ctx, request, planId);
      } finally {
        this.waiting--;
      }
    });
  }

  private async answer(ctx: ComponentContext, request: string, planId: string): Promise<void> {
    const planner = this.planner;
    if (planner === undefined || ctx.signal.aborted) return;
    const answer = await planner.plan(request, this.startState(), ctx.clock.nowMs(), planId);
    if (ctx.bus.isClosed) return;
    ctx.bus.publish(eventsTopic, {
      kind: 'tasking.answer',
      severity: answer.status === 'proposed' ? 'info' : 'warning',
      message: answer.summary,
      data: { answer },
    });
    if (answer.status !== 'proposed' || answer.retask === undefined) return;
    if (answer.needsConfirmation) {
      this.pending.set(planId, { answer, expiresAtMs: ctx.clock.nowMs() + PLAN_CONFIRM_TTL_MS });
    } else {
      this.retask(ctx, answer, 'tasking', planId);
    }
  }

  private confirm(ctx: ComponentContext, m: OperatorMessage, planId: string): void {
    const p = this.pending.get(planId);
    if (p === undefined) return; // A confirmation for an action, handled by the guard.
    this.pending.delete(planId);
    if (ctx.clock.nowMs() > p.expiresAtMs) {
      ctx.bus.publish(eventsTopic, {
        kind: 'tasking.expired',
        severity: 'warning',
        message: `plan ${planId} expired before operator ${m.operator} confirmed it; ask again`,
        data: { planId },
      });
      return;
    }
    this.retask(ctx, p.answer, m.operator, m.commandId);
  }

  private retask(ctx: ComponentContext, answer: TaskingAnswer, operator: string, commandId: string): void {
    if (answer.retask === undefined) return;
    ctx.bus.publish(operatorTopic, { operator, commandId, command: { kind: 'retask', retask: answer.retask } });
    ctx.bus.publish(eventsTopic, {
      kind: 'tasking.applied',
      severity: 'info',
      message: `plan ${answer.planId} handed to the behavior (${operator === 'tasking' ? 'no confirmation required' : `confirmed by ${operator}`}); the guard checks every action`,
      data: { planId: answer.planId, retask: answer.retask },
    });
  }

  private startState(): DryRunStart {
    if (this.pose === undefined) return { ...homeStart(this.options.mission), targets: this.targets };
    return {
      positionM: this.pose.positionM,
      batteryPct: this.battery?.percent ?? 100,
      targets: this.targets,
    };
  }
}
