import type { Guardrails, Origin, Platform } from '../../missions/index.js';
import { EnuFrame, type Decision } from '../../runtime/index.js';
import { GuardError } from '../errors.js';
import type { FailsafeMonitor } from '../failsafe/monitor.js';
import { failsafeLockRule } from '../failsafe/lock.js';
import { PathSampler } from './motion.js';
import { GuardPipeline, type RuleTrace } from './pipeline.js';
import { ReturnHomeThreshold } from './return-home-threshold.js';
import { ALLOW, deny, type GuardProposal, type GuardRule, type GuardState } from './rule.js';
import { actionSanityRule } from './rules/action-sanity.js';
import { altitudeBandRule } from './rules/altitude-band.js';
import { batteryReserveRule } from './rules/battery-reserve.js';
import { commandExpiryRule } from './rules/command-expiry.js';
import { confirmationRule, MemoryConfirmationStore, type ConfirmationStore } from './rules/confirmation.js';
import { EStopLatch, estopRule, type EStopOptions } from './rules/estop.js';
import { geofenceRule } from './rules/geofence.js';
import { noGoRule } from './rules/no-go.js';
import { footprintBox, obstacleRule, type ObstacleOptions } from './rules/obstacle.js';
import { poseFreshRule } from './rules/pose-fresh.js';
import { rateLimitRule } from './rules/rate-limit.js';
import { speedLimitsRule } from './rules/speed-limits.js';
import { standoffRule } from './rules/standoff.js';
import { prepareMissionPolygon } from './zones.js';

/** What an integrator's rule factory is given. */
export interface GuardRuleContext {
  readonly guardrails: Guardrails;
  readonly platform: Platform | undefined;
  /** Local ENU frame of the mission, when it has an origin. */
  readonly frame: EnuFrame | undefined;
}

export type GuardRuleFactory = (ctx: GuardRuleContext) => GuardRule;

export interface GuardOptions {
  readonly guardrails: Guardrails;
  /** Platform limits tighten the mission's speed limits; a ground footprint shapes the obstacle zones. */
  readonly platform?: Platform;
  /** The mission origin: needed for geographic fences and goto targets. */
  readonly origin?: Origin;
  /** Integrator rules, run after the built-in ones (so they can only tighten further). */
  readonly rules?: readonly GuardRule[];
  /** A shared latch (the operator channel and the failsafe see the same one), or options for a new one. */
  readonly estop?: EStopLatch | EStopOptions;
  /** Default: an empty in-memory store, so confirmed actions are denied until one is wired. */
  readonly confirmations?: ConfirmationStore;
  /** Registered `custom` action names. */
  readonly customActions?: Iterable<string>;
  /** Obstacle zones from lidar; leave out when the robot has no lidar. */
  readonly obstacle?: Partial<ObstacleOptions>;
  /** Proposals older than this are never executed, ms. Default 1000. */
  readonly commandTtlMs?: number;
  /** Pose age limit when the mission sets no `staleSensor`, ms. Default 1000. */
  readonly defaultPoseStaleAfterMs?: number;
  /** When given, behaviors may not override an active failsafe. */
  readonly failsafe?: FailsafeMonitor;
  /** Leave out the rules registered with `registerGuardRule`. Default false. */
  readonly ignoreRegistered?: boolean;
  /** The return-home threshold in force (shared with the failsafe monitor); default: a new one at the mission's value. */
  readonly returnHome?: ReturnHomeThreshold;
}

export interface Guard {
  readonly estop: EStopLatch;
  /** Rules in evaluation order. */
  readonly rules: readonly GuardRule[];
  readonly pipeline: GuardPipeline;
  /** The return-home battery threshold in force; absent when the mission sets no battery guardrail. */
  readonly returnHome: ReturnHomeThreshold | undefined;
  decide(proposal: GuardProposal, state: GuardState, nowMs: number): Decision;
  /** What `decide` would answer now, spending nothing (no rate-limit slot, no confirmation). */
  preview(proposal: GuardProposal, state: GuardState, nowMs: number): Decision;
  /** Every rule's own verdict, without side effects (see `GuardPipeline.explain`). */
  explain(proposal: GuardProposal, state: GuardState, nowMs: number): RuleTrace[];
}

const registry = new Map<string, GuardRuleFactory>();

/**
 * Registers a rule every guard built afterwards gets (after the built-in
 * rules). Returns the function that unregisters it.
 *
 * @example
 * const off = registerGuardRule('acme.max_wind', () => ({
 *   id: 'acme.max_wind',
 *   evaluate: (action, state) => ALLOW,
 * }));
 */
export function registerGuardRule(id: string, factory: GuardRuleFactory): () => void {
  if (registry.has(id)) throw new GuardError('guard.duplicate_rule', `a guard rule "${id}" is already registered`);
  registry.set(id, factory);
  return () => {
    if (registry.get(id) === factory) registry.delete(id);
  };
}

const DEG = Math.PI / 180;

/** A mast or tower does not drive: motion proposals are a behavior's mistake, denied with `platform.fixed`. */
const fixedSiteRule: GuardRule = {
  id: 'fixed-site',
  evaluate: (action) =>
    action.kind === 'velocity' || action.kind === 'goto' || action.kind === 'return_home'
      ? deny('platform.fixed', `a fixed site cannot ${action.kind}`, { kind: action.kind })
      : ALLOW,
};

/**
 * Builds the guard for a mission's guardrails: the built-in rules in a fixed
 * order (e-stop first, then action sanity, expiry, failsafe lock, freshness,
 * battery, confirmation, rate, speed, altitude, fence, no-go, standoff,
 * obstacle), then registered and given integrator rules.
 *
 * @example
 * const guard = createGuard({ guardrails: mission.guardrails, platform: mission.platform, origin: mission.origin });
 * const decision = guard.decide(
 *   { id: 'b-1', source: 'behavior/search', action: { kind: 'velocity', linearMps: { x: 2, y: 0, z: 0 }, yawRateRps: 0 }, proposedAtMs: now },
 *   { pose, poseStampMs: now - 20, targets: [] },
 *   now,
 * ); // decision.verdict: 'allow' | 'modify' | 'deny'; speeds in m/s, time in epoch ms
 */
export function createGuard(options: GuardOptions): Guard {
  const g = options.guardrails;
  const platform = options.platform;
  const frame =
    options.origin === undefined
      ? undefined
      : new EnuFrame({ latDeg: options.origin.lat, lonDeg: options.origin.lon, altM: options.origin.altM });
  const estop = options.estop instanceof EStopLatch ? options.estop : new EStopLatch(options.estop ?? {});
  const horizonS = g.horizonS;
  const sampler = new PathSampler();

  const rules: GuardRule[] = [
    estopRule(estop),
    actionSanityRule(options.customActions === undefined ? {} : { customActions: options.customActions }),
    commandExpiryRule(options.commandTtlMs === undefined ? {} : { ttlMs: options.commandTtlMs }),
  ];
  if (options.failsafe !== undefined) rules.push(failsafeLockRule(options.failsafe));
  rules.push(poseFreshRule({ staleAfterMs: g.staleSensor?.afterMs ?? options.defaultPoseStaleAfterMs ?? 1000 }));
  const returnHome =
    g.battery === undefined ? undefined : (options.returnHome ?? new ReturnHomeThreshold(g.battery.returnHomePct));
  if (g.battery !== undefined)
    rules.push(batteryReserveRule({ ...g.battery, ...(returnHome === undefined ? {} : { returnHome }) }));
  if (g.requireConfirmation.length > 0) {
    rules.push(
      confirmationRule({ kinds: g.requireConfirmation, store: options.confirmations ?? new MemoryConfirmationStore() }),
    );
  }
  if (g.rateLimits !== undefined) rules.push(rateLimitRule({ perSecond: g.rateLimits }));
  if (platform?.kind === 'fixed_site') rules.push(fixedSiteRule);
  const speed = speedLimits(g, platform);
  if (speed !== undefined) rules.push(speedLimitsRule(speed));
  if (g.altitude !== undefined)
    rules.push(altitudeBandRule({ minM: g.altitude.minM, maxM: g.altitude.maxM, horizonS }));
  if (g.geofence.length > 0) {
    const fences = g.geofence.map((p, i) => prepareMissionPolygon(p, frame, `guardrails.geofence.${i}`));
    rules.push(geofenceRule({ fences, horizonS, sampler, ...(frame === undefined ? {} : { frame }) }));
  }
  if (g.noGo.length > 0) {
    const zones = g.noGo.map((z, i) => ({
      name: z.name,
      polygon: prepareMissionPolygon(z.polygon, frame, `guardrails.noGo.${i}.polygon`),
    }));
    rules.push(noGoRule({ zones, horizonS, sampler, ...(frame === undefined ? {} : { frame }) }));
  }
  if (g.standoff.length > 0) {
    const specs = g.standoff.map((s) => ({
      className: s.class,
      stopM: s.stopM,
      ...(s.slowM === undefined ? {} : { slowM: s.slowM }),
      ...(s.noPayloadM === undefined ? {} : { noPayloadM: s.noPayloadM }),
    }));
    rules.push(standoffRule({ specs, horizonS, sampler, ...(frame === undefined ? {} : { frame }) }));
  }
  if (options.obstacle !== undefined) {
    const footprint: readonly (readonly [number, number])[] =
      platform?.kind === 'ground' && platform.footprint !== undefined
        ? platform.footprint
        : [
            [-0.5, -0.5],
            [0.5, -0.5],
            [0.5, 0.5],
            [-0.5, 0.5],
          ];
    rules.push(
      obstacleRule({
        stopPolygon: footprintBox(footprint, 0.3),
        slowPolygon: footprintBox(footprint, 1.0),
        ...options.obstacle,
      }),
    );
  }
  if (options.ignoreRegistered !== true) {
    const ctx: GuardRuleContext = { guardrails: g, platform, frame };
    for (const factory of registry.values()) rules.push(factory(ctx));
  }
  rules.push(...(options.rules ?? []));

  const pipeline = new GuardPipeline(rules);
  return {
    estop,
    rules: pipeline.rules,
    pipeline,
    returnHome,
    decide: (proposal, state, nowMs) => pipeline.decide(proposal, state, nowMs),
    preview: (proposal, state, nowMs) => pipeline.preview(proposal, state, nowMs),
    explain: (proposal, state, nowMs) => pipeline.explain(proposal, state, nowMs),
  };
}

/** The tighter of the mission's and the platform's limits, in the units the rule wants. */
function speedLimits(g: Guardrails, platform: Platform | undefined): Parameters<typeof speedLimitsRule>[0] | undefined {
  const s = g.speed;
  const p = platform;
  const linear = Math.min(
    s?.maxLinearMps ?? Infinity,
    p !== undefined && p.kind !== 'fixed_site' ? p.maxSpeedMps : Infinity,
  );
  const vertical = Math.min(s?.maxVerticalMps ?? Infinity, p?.kind === 'multirotor' ? p.maxClimbMps : Infinity);
  const yawDps = Math.min(
    s?.maxYawRateDps ?? Infinity,
    p !== undefined && p.kind !== 'fixed_site' ? p.maxYawRateDps : Infinity,
  );
  const accel = Math.min(
    s?.maxAccelMps2 ?? Infinity,
    p !== undefined && p.kind !== 'fixed_site' ? p.maxAccelMps2 : Infinity,
  );
  if (!Number.isFinite(linear)) return undefined;
  return {
    maxLinearMps: linear,
    ...(Number.isFinite(vertical) ? { maxVerticalMps: vertical } : {}),
    ...(Number.isFinite(yawDps) ? { maxYawRateRps: yawDps * DEG } : {}),
    ...(Number.isFinite(accel) ? { maxAccelMps2: accel } : {}),
  };
}
