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
  OperatorMessage,
  RuntimeEvent,
  Subscription,
  TimerHandle,
} from '../runtime/index.js';
import { COMMAND_WATCHDOG_MS, CommandWatchdog } from './command-watchdog.js';
import { FailsafeMonitor, type FailsafeUpdate } from './failsafe/monitor.js';
import { createGuard, type Guard, type GuardOptions } from './guard/guard.js';
import { PIPELINE_ID } from './guard/pipeline.js';
import { ReturnHomeThreshold } from './guard/return-home-threshold.js';
import { ageMs, type GuardProposal, type GuardRule, type GuardState } from './guard/rule.js';
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
  /**
   * Deadman limit, ms: a streaming source that moves the robot must get a fresh
   * command approved at least this often, or the guard commands a hold
   * (see `CommandWatchdog`). Default `COMMAND_WATCHDOG_MS`; `false` turns it off.
   */
  readonly watchdogMs?: number | false;
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
  const watchdog =
    options.watchdogMs === false ? undefined : new CommandWatchdog(options.watchdogMs ?? COMMAND_WATCHDOG_MS);
  // One threshold for the battery rule and the failsafe monitor, so a retask moves both.
  const returnHome =
    options.guardrails.battery === undefined
      ? undefined
      : new ReturnHomeThreshold(options.guardrails.battery.returnHomePct);
  let watchdogSeq = 0;

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
      watchdog?.onApproved(proposal.source, decision.action, nowMs);
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
    const nowMs = ctx.clock.nowMs();
    if (linkUp) state.linkSeenMs = nowMs;
    report(ctx, monitor.update(state, guard.estop.engaged, nowMs));
    const trip = watchdog?.check(nowMs, estimatedSpeedMps(state, nowMs));
    if (trip !== undefined) {
      const message = `${trip.source} sent no fresh approved command for ${Math.round(trip.silentMs)} ms while moving (${trip.kind}): hold`;
      ctx.logger.warn({ source: trip.source, silentMs: trip.silentMs, kind: trip.kind }, message);
      ctx.bus.publish(eventsTopic, {
        kind: 'watchdog.tripped',
        severity: 'warning',
        message,
        data: { source: trip.source, motion: trip.kind, silentMs: trip.silentMs, afterMs: watchdog?.afterMs },
      });
      // Through the guard like any proposal, so the decision is on record; hold is allowed unless something stronger rules.
      ctx.bus.publish(proposalsTopic, {
        id: `watchdog-${String(++watchdogSeq).padStart(6, '0')}`,
        source: 'guard/watchdog',
        action: { kind: 'hold' },
        proposedAtMs: nowMs,
      });
    }
  }

  /** Operator commands the guard itself acts on besides the bridge's: resume resets failsafes, retask moves the return-home threshold. */
  function onOperatorCommand(ctx: ComponentContext, m: OperatorMessage): void {
    const c = m.command;
    const by = `operator/${m.operator}`;
    const nowMs = ctx.clock.nowMs();
    if (c.kind === 'resume' && monitor !== undefined && guard !== undefined) {
      // PX4-style: an on_reset failsafe (link loss, low battery) hands back control only when a human says so.
      const update = monitor.resetCleared(state, guard.estop.engaged, nowMs);
      report(ctx, update);
      if (update.stillHolding.length > 0) {
        const message = `resume by ${by}: ${update.stillHolding.join(', ')} still holds; failsafe stays in charge`;
        ctx.logger.warn({ operator: m.operator, causes: update.stillHolding }, message);
        ctx.bus.publish(eventsTopic, {
          kind: 'failsafe.reset_refused',
          severity: 'warning',
          message,
          data: { by, causes: update.stillHolding },
        });
      }
      return;
    }
    if (c.kind === 'retask' && c.retask.returnHomePct !== undefined) {
      const requested = c.retask.returnHomePct;
      if (returnHome === undefined) {
        const message = `retask ${c.retask.planId} by ${by}: returnHomePct ignored, the mission sets no battery guardrail`;
        ctx.logger.warn({ operator: m.operator, planId: c.retask.planId, requestedPct: requested }, message);
        ctx.bus.publish(eventsTopic, {
          kind: 'retask.refused',
          severity: 'warning',
          message,
          data: { by, planId: c.retask.planId, code: 'retask.no_battery_guardrail', requestedPct: requested },
        });
        return;
      }
      const change = returnHome.request(requested);
      const message = `retask ${c.retask.planId} by ${by}: ${change.reason}`;
      const data = {
        by,
        planId: c.retask.planId,
        code: change.code,
        requestedPct: requested,
        returnHomePct: change.returnHomePct,
        missionPct: returnHome.missionPct,
      };
      if (change.accepted) {
        ctx.logger.info(data, message);
        ctx.bus.publish(eventsTopic, { kind: 'retask.return_home', severity: 'info', message, data });
      } else {
        ctx.logger.warn(data, message);
        ctx.bus.publish(eventsTopic, { kind: 'retask.refused', severity: 'warning', message, data });
      }
    }
  }

  return {
    name: 'guard',
    configure(ctx) {
      const mission = options.mission;
      monitor = new FailsafeMonitor({
        guardrails: options.guardrails,
        startedAtMs: ctx.clock.nowMs(),
        ...(returnHome === undefined ? {} : { returnHome }),
      });
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
        ...(returnHome === undefined ? {} : { returnHome }),
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
            onOperatorCommand(ctx, m.data);
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

/** Speed from a pose fresh enough to trust (1 s), m/s; undefined when there is none, so the watchdog assumes motion. */
function estimatedSpeedMps(state: GuardState, nowMs: number): number | undefined {
  const v = state.pose?.linearVelocityMps;
  if (v === undefined || !(ageMs(state.poseStampMs, nowMs) <= 1000)) return undefined;
  const speed = Math.hypot(v.x, v.y, v.z);
  return Number.isFinite(speed) ? speed : undefined;
}
