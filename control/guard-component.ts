import type { Guardrails, Mission } from '../missions/index.js';
import {
  batteryTopic,
  commandsTopic,
  decisionsTopic,
  defineService,
  eventsTopic,
  linkTopic,
  operatorTopic,
  poseTopic,
  proposalsTopic,
  reliable,
  sensorTopic,
  targetsTopic,
} from '../runtime/index.js';
import type {
  Component,
  ComponentContext,
  Decision,
  RuntimeEvent,
  Subscription,
  TimerHandle,
} from '../runtime/index.js';
import { FailsafeMonitor, type FailsafeUpdate } from './failsafe/monitor.js';
import { createGuard, type Guard, type GuardOptions } from './guard/guard.js';
import { PIPELINE_ID } from './guard/pipeline.js';
import type { GuardProposal, GuardRule, GuardState } from './guard/rule.js';
import { MemoryConfirmationStore, type ConfirmationStore } from './guard/rules/confirmation.js';
import type { EStopOptions } from './guard/rules/estop.js';
import { OperatorBridge } from './operator-bridge.js';
import { estopTopic } from './topics.js';

/** Where other components (the operator channel, telemetry) find the running guard and its e-stop. */
export const guardService = defineService<Guard>('control.guard');

export interface GuardComponentOptions {
  readonly guardrails: Guardrails;
  /** Platform, origin and lidar sensors come from here. */
  readonly mission?: Mission;
  readonly rules?: readonly GuardRule[];
  readonly estop?: EStopOptions;
  readonly confirmations?: ConfirmationStore;
  readonly customActions?: Iterable<string>;
  /** How often the failsafe monitor runs, ms. Default 100. */
  readonly failsafePeriodMs?: number;
  /** Extra guard options (TTL, obstacle zones). */
  readonly guard?: Partial<Omit<GuardOptions, 'guardrails' | 'failsafe' | 'estop' | 'rules'>>;
}

/** Mutable on the inside, read-only to the rules. */
type StateSlots = { -readonly [K in keyof GuardState]: GuardState[K] };

/**
 * The guard as a runtime component: the thin adapter around the pure guard
 * and failsafe monitor. It keeps the latest pose, battery, targets, lidar
 * scan and link heartbeat, decides every proposal from `control/proposals`
 * (reliable: no proposal is ever dropped unjudged), publishes every decision
 * on `control/decisions` and each approved action on `control/commands`, and
 * runs the failsafe monitor on the runtime clock, publishing its transitions
 * on `runtime/events` and its actions as proposals.
 */
export function createGuardComponent(options: GuardComponentOptions): Component {
  const periodMs = options.failsafePeriodMs ?? 100;
  const lidarIds = (options.mission?.sensors ?? []).filter((s) => s.type === 'lidar').map((s) => s.id);
  const state: StateSlots = { targets: [] };
  const subs: Subscription[] = [];
  let timer: TimerHandle | undefined;
  let guard: Guard | undefined;
  let monitor: FailsafeMonitor | undefined;
  let offEstop: (() => void) | undefined;
  // Operator confirmations need a store the bridge can grant into; an embedder's own store keeps its own grants.
  const memoryStore =
    options.confirmations === undefined
      ? new MemoryConfirmationStore()
      : options.confirmations instanceof MemoryConfirmationStore
        ? options.confirmations
        : undefined;
  const confirmations: ConfirmationStore | undefined = options.confirmations ?? memoryStore;
  const bridge = new OperatorBridge(() => guard?.estop, memoryStore ?? new MemoryConfirmationStore());
  /** The link is up while the telemetry channel says so; the failsafe counts from the moment it went down. */
  let linkUp = false;

  function decide(ctx: ComponentContext, incoming: GuardProposal): void {
    if (guard === undefined) return;
    const nowMs = ctx.clock.nowMs();
    const proposal = bridge.withConfirmation(incoming, nowMs);
    let decision: Decision;
    try {
      decision = guard.decide(proposal, state, nowMs);
    } catch (error) {
      // The pipeline catches rule errors; this is a bug in the guard itself. Still: fail closed, and say so.
      ctx.logger.error({ err: error, proposal: proposal.id }, 'guard failed to decide');
      decision = {
        proposalId: proposal.id,
        source: proposal.source,
        verdict: 'deny',
        requested: proposal.action,
        ruleId: PIPELINE_ID,
        code: 'guard.internal_error',
        reason: error instanceof Error ? error.message : 'guard failed',
        decidedAtMs: nowMs,
      };
    }
    ctx.bus.publish(decisionsTopic, decision, nowMs);
    bridge.onDecision(decision);
    if (decision.verdict !== 'deny' && decision.action !== undefined) {
      bridge.onApproved(proposal);
      ctx.bus.publish(
        commandsTopic,
        {
          proposalId: decision.proposalId,
          action: decision.action,
          issuedAtMs: nowMs,
          ...(decision.basis === undefined ? {} : { basis: decision.basis }),
        },
        nowMs,
      );
    } else if (ctx.logger.isLevelEnabled('debug')) {
      ctx.logger.debug({ proposal: proposal.id, source: proposal.source, code: decision.code }, decision.reason);
    }
  }

  function report(ctx: ComponentContext, update: FailsafeUpdate): void {
    for (const t of update.transitions) {
      const event: RuntimeEvent = {
        kind: `failsafe.${t.kind}`,
        severity:
          t.kind === 'cleared' ? 'info' : t.action === 'continue' || t.action === 'hold' ? 'warning' : 'critical',
        message: `${t.kind === 'triggered' ? 'failsafe' : 'cleared'} ${t.cause}: ${t.description}${t.kind === 'triggered' ? ` -> ${t.action}` : ''}`,
        data: { cause: t.cause, action: t.action, atMs: t.atMs },
      };
      ctx.bus.publish(eventsTopic, event);
      ctx.logger.warn({ cause: t.cause, action: t.action, transition: t.kind }, event.message);
    }
    const active = update.active;
    if (update.transitions.length > 0) {
      if (active === undefined) ctx.health.ok();
      else ctx.health.degraded(`failsafe ${active.cause}: ${active.action}`, `failsafe.${active.cause}`);
    }
    if (update.proposal !== undefined) ctx.bus.publish(proposalsTopic, update.proposal);
  }

  function tick(ctx: ComponentContext): void {
    if (monitor === undefined || guard === undefined) return;
    if (linkUp) state.linkSeenMs = ctx.clock.nowMs();
    report(ctx, monitor.update(state, guard.estop.engaged, ctx.clock.nowMs()));
  }

  return {
    name: 'guard',
    configure(ctx) {
      const mission = options.mission;
      monitor = new FailsafeMonitor({ guardrails: options.guardrails, startedAtMs: ctx.clock.nowMs() });
      guard = createGuard({
        ...(lidarIds.length > 0 ? { obstacle: {} } : {}),
        ...options.guard,
        guardrails: options.guardrails,
        ...(mission === undefined ? {} : { platform: mission.platform }),
        ...(mission?.origin === undefined ? {} : { origin: mission.origin }),
        ...(options.rules === undefined ? {} : { rules: options.rules }),
        estop: {
          // Resets through the authenticated operator channel, or whatever the embedder authorises.
          authorizeReset: (r) => bridge.authorizeReset(r) || (options.estop?.authorizeReset?.(r) ?? false),
        },
        ...(confirmations === undefined ? {} : { confirmations }),
        ...(options.customActions === undefined ? {} : { customActions: options.customActions }),
        failsafe: monitor,
      });
      ctx.services.provide(guardService, guard);
    },
    start(ctx) {
      const me = { subscriber: 'guard' };
      const g = guard;
      if (g === undefined) throw new Error('guard started before it was configured');
      subs.push(
        ctx.bus.subscribe(
          poseTopic,
          (m) => {
            state.pose = m.data;
            // Judge freshness on what the estimate knows, not on when it was last predicted.
            state.poseStampMs = m.data.measuredAtMs ?? m.stampMs;
          },
          me,
        ),
        ctx.bus.subscribe(
          batteryTopic,
          (m) => {
            state.battery = m.data;
            state.batteryStampMs = m.stampMs;
          },
          me,
        ),
        ctx.bus.subscribe(
          targetsTopic,
          (m) => {
            state.targets = m.data;
            state.targetsStampMs = m.stampMs;
          },
          me,
        ),
        ctx.bus.subscribe(
          linkTopic,
          (m) => {
            linkUp = m.data.up;
            if (m.data.up) state.linkSeenMs = m.stampMs;
          },
          { ...me, policy: reliable() },
        ),
        ctx.bus.subscribe(
          operatorTopic,
          (m) => {
            const out = bridge.handle(m.data, ctx.clock.nowMs());
            ctx.logger.info({ operator: m.data.operator, command: m.data.command.kind }, out.note);
            ctx.bus.publish(eventsTopic, {
              kind: `operator.${m.data.command.kind}`,
              severity: 'info',
              message: out.note,
            });
            if (out.proposal !== undefined) ctx.bus.publish(proposalsTopic, out.proposal);
          },
          { ...me, policy: reliable() },
        ),
        ctx.bus.subscribe(
          estopTopic,
          (m) => {
            const nowMs = ctx.clock.nowMs();
            if (m.data.engage) {
              g.estop.engage(m.data.reason ?? `requested by ${m.data.by}`, nowMs);
              return;
            }
            try {
              g.estop.reset({ by: m.data.by, ...(m.data.token === undefined ? {} : { token: m.data.token }) }, nowMs);
            } catch (error) {
              ctx.logger.warn({ err: error, by: m.data.by }, 'e-stop reset refused');
              ctx.bus.publish(eventsTopic, {
                kind: 'estop.reset_refused',
                severity: 'warning',
                message: `e-stop reset by ${m.data.by} refused`,
                data: { by: m.data.by },
              });
            }
          },
          { ...me, policy: reliable() },
        ),
        ctx.bus.subscribe(proposalsTopic, (m) => decide(ctx, m.data), { ...me, policy: reliable() }),
      );
      for (const id of lidarIds) {
        subs.push(
          ctx.bus.subscribe(
            sensorTopic('lidar', id),
            (m) => {
              state.scan = m.data;
              state.scanStampMs = m.stampMs;
            },
            me,
          ),
        );
      }
      // An e-stop must not wait for the next monitor period to command the stop.
      offEstop = g.estop.onChange(() => tick(ctx));
      timer = ctx.clock.setInterval(() => tick(ctx), periodMs);
      ctx.health.ok();
    },
    stop() {
      timer?.cancel();
      timer = undefined;
      offEstop?.();
      offEstop = undefined;
      for (const s of subs.splice(0)) s.unsubscribe();
    },
  };
}
