import {
  batteryTopic,
  decisionsTopic,
  eventsTopic,
  latencyService,
  operatorTopic,
  poseTopic,
  proposalsTopic,
  reliable,
  targetsTopic,
  type Action,
  type Component,
  type ComponentContext,
  type Decision,
  type LatencyTracer,
  type OperatorMessage,
  type PoseEstimate,
  type Retask,
  type Subscription,
  type Target,
  type TimerHandle,
} from '../../runtime/index.js';
import type { BehaviorLogic, RetaskPolicy } from './logic.js';

/**
 * Builds the behavior a retask switches to (area search over a new area,
 * patrol, hold, return home, land); undefined when it cannot (the retask is
 * then refused with an event saying why). `home` is where the robot started
 * as far as the component knows (the first behavior's home, else the first
 * pose it saw): a hold or a patrol knows no home of its own, and a return
 * home after one must still fly home.
 */
export type RetaskFactory = (
  retask: Retask,
  current: BehaviorLogic,
  home?: readonly [number, number],
) => BehaviorLogic | string;

export interface BehaviorComponentOptions {
  /** How often the behavior decides, Hz. Default 5. */
  readonly tickHz?: number;
  /** An unchanged action is proposed again after this long, ms, so the guard re-checks it. Default 1000. */
  readonly reproposeMs?: number;
  /** How a retask that changes the behavior is built. Absent: such retasks are refused. */
  readonly retask?: RetaskFactory;
}

/**
 * Runs a behavior's state machine on the clock and turns its output into
 * proposals. A proposal carries the stamps of the pose and of the camera
 * frame it was derived from, so latency can be traced from sensor to
 * actuator. The guard's decisions on its own proposals are fed back to the
 * behavior at the next tick.
 *
 * Operator commands it applies: pause (hold, the state machine freezes),
 * resume, retask (switch behavior, area, altitude, speed, target priorities,
 * payload policy; publishes `behavior.retasked` saying what changed) and
 * confirm of a payload release the behavior asked for.
 */
export class BehaviorComponent implements Component {
  readonly name: string;
  private pose: PoseEstimate | undefined;
  private poseStampMs: number | undefined;
  private batteryPct: number | undefined;
  private targets: readonly Target[] = [];
  private decisions: Decision[] = [];
  private readonly subs: Subscription[] = [];
  private timer: TimerHandle | undefined;
  private lastAction: string | undefined;
  private lastProposedMs = -Infinity;
  private phase = '';
  private seq = 0;
  private tracer: LatencyTracer | undefined;
  private logic: BehaviorLogic;
  /** Where the robot started: the first behavior's home, else the first pose seen. */
  private home: readonly [number, number] | undefined;
  /** Paused by an operator: the robot holds and the state machine does not advance. */
  private pausedBy: string | undefined;

  constructor(
    logic: BehaviorLogic,
    private readonly options: BehaviorComponentOptions = {},
  ) {
    this.logic = logic;
    this.name = `behavior-${logic.kind.replace(/_/g, '-')}`;
  }

  /** The running behavior (it changes on retask). */
  get current(): BehaviorLogic {
    return this.logic;
  }

  start(ctx: ComponentContext): void {
    const sub = { subscriber: this.name };
    this.tracer = ctx.services.find(latencyService);
    this.subs.push(
      ctx.bus.subscribe(
        poseTopic,
        (m) => {
          this.pose = m.data;
          this.home ??= this.logic.homeXY ?? [m.data.positionM.x, m.data.positionM.y];
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
      ctx.bus.subscribe(
        decisionsTopic,
        (m) => {
          // Only its own: failsafe and operator proposals are the guard's business.
          if (m.data.proposalId.startsWith(`${this.name}-`)) this.decisions.push(m.data);
        },
        { ...sub, policy: reliable() },
      ),
      ctx.bus.subscribe(operatorTopic, (m) => this.onOperator(ctx, m.data), { ...sub, policy: reliable() }),
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

  private onOperator(ctx: ComponentContext, msg: OperatorMessage): void {
    const now = ctx.clock.nowMs();
    const operator = msg.operator;
    const command = msg.command;
    if (command.kind === 'pause' && this.pausedBy === undefined) {
      this.pausedBy = operator;
      ctx.bus.publish(eventsTopic, {
        kind: 'behavior.paused',
        severity: 'warning',
        message: `paused by operator ${operator}`,
      });
      this.lastAction = undefined;
      this.propose(ctx, { kind: 'hold' }, now);
    } else if (command.kind === 'resume' && this.pausedBy !== undefined) {
      this.pausedBy = undefined;
      ctx.bus.publish(eventsTopic, {
        kind: 'behavior.resumed',
        severity: 'info',
        message: `resumed by operator ${operator}`,
      });
      // Propose the behavior's next action at once rather than after the re-propose interval.
      this.lastAction = undefined;
    } else if (command.kind === 'retask') {
      this.applyRetask(ctx, operator, command.retask);
    } else if (command.kind === 'confirm' && this.logic.confirm?.(command.proposalId) === true) {
      ctx.bus.publish(eventsTopic, {
        kind: 'behavior.payload_confirmed',
        severity: 'info',
        message: `operator ${operator} confirmed ${command.proposalId}`,
        data: { request: command.proposalId, operator },
      });
    }
  }

  private applyRetask(ctx: ComponentContext, operator: string, retask: Retask): void {
    const changed: string[] = [];
    const from = this.logic.kind;
    const switching = (retask.behavior !== undefined && retask.behavior !== from) || retask.area !== undefined;
    if (switching) {
      const made = this.options.retask?.(retask, this.logic, this.home) ?? 'this behavior cannot be retasked';
      if (typeof made === 'string') {
        ctx.bus.publish(eventsTopic, {
          kind: 'behavior.retask_refused',
          severity: 'warning',
          message: `retask ${retask.planId} from ${operator} refused: ${made}`,
          data: { planId: retask.planId, operator, reason: made },
        });
        return;
      }
      this.logic = made;
      changed.push(
        `behavior ${from} -> ${made.kind}${retask.areaName === undefined ? '' : ` over ${retask.areaName}`}`,
      );
    }
    if (switching) {
      // The factory built the new behavior with the whole retask: list what it took.
      if (retask.targets !== undefined) changed.push(`targets ${retask.targets.join(' > ') || 'none'}`);
      if (retask.payload !== undefined) changed.push(`payload ${retask.payload}`);
      if (retask.altitudeM !== undefined) changed.push(`altitude ${retask.altitudeM} m`);
      if (retask.speedMps !== undefined) changed.push(`speed ${retask.speedMps} m/s`);
    } else {
      const policy: RetaskPolicy = {
        ...(retask.targets === undefined ? {} : { targets: retask.targets }),
        ...(retask.payload === undefined ? {} : { payload: retask.payload }),
        ...(retask.altitudeM === undefined ? {} : { altitudeM: retask.altitudeM }),
        ...(retask.speedMps === undefined ? {} : { speedMps: retask.speedMps }),
      };
      if (Object.keys(policy).length > 0) changed.push(...(this.logic.retask?.(policy) ?? []));
    }
    // The guard owns returnHomePct; it is named here so the operator sees the whole plan was read.
    this.lastAction = undefined;
    ctx.bus.publish(eventsTopic, {
      kind: 'behavior.retasked',
      severity: 'warning',
      message: `retask ${retask.planId} from ${operator}: ${changed.length === 0 ? 'nothing to change' : changed.join(', ')}`,
      data: { planId: retask.planId, operator, changed, behavior: this.logic.kind },
    });
  }

  private tick(ctx: ComponentContext): void {
    const now = ctx.clock.nowMs();
    if (this.pausedBy !== undefined) {
      this.decisions = [];
      this.propose(ctx, { kind: 'hold' }, now);
      return;
    }
    const t0 = this.tracer?.now();
    const decisions = this.decisions;
    this.decisions = [];
    const out = this.logic.step({
      nowMs: now,
      targets: this.targets,
      decisions,
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
    if (out.action !== undefined) {
      const id = this.propose(ctx, out.action, now, out.frameStampMs);
      if (id !== undefined && t0 !== undefined && this.tracer !== undefined)
        this.tracer.recordBehavior(id, this.tracer.now() - t0);
    }
  }

  private propose(ctx: ComponentContext, action: Action, now: number, frameStampMs?: number): string | undefined {
    const key = JSON.stringify(action);
    if (key === this.lastAction && now - this.lastProposedMs < (this.options.reproposeMs ?? 1000)) return undefined;
    this.lastAction = key;
    this.lastProposedMs = now;
    const id = `${this.name}-${String(this.seq++).padStart(6, '0')}`;
    const basis = {
      ...(this.poseStampMs === undefined ? {} : { poseStampMs: this.poseStampMs }),
      ...(frameStampMs === undefined ? {} : { frameStampMs }),
    };
    ctx.bus.publish(proposalsTopic, {
      id,
      source: `behavior/${this.logic.kind}`,
      action,
      proposedAtMs: now,
      ...(Object.keys(basis).length === 0 ? {} : { basis }),
    });
    return id;
  }
}
