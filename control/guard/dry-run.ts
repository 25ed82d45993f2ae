import type { Guardrails, Origin, Platform } from '../../missions/index.js';
import { EnuFrame, type Action, type Decision, type PoseEstimate } from '../../runtime/index.js';
import { createGuard } from './guard.js';
import type { RuleTrace } from './pipeline.js';
import { ReturnHomeThreshold } from './return-home-threshold.js';
import type { GuardProposal, GuardState } from './rule.js';

export interface DryRunOptions {
  readonly guardrails: Guardrails;
  readonly platform?: Platform;
  /** Needed for geographic fences and goto targets. */
  readonly origin?: Origin;
  readonly customActions?: Iterable<string>;
  /**
   * The return-home threshold in force after earlier retasks, %. Bounded like
   * a retask: a value under the mission's is ignored (the mission's applies).
   */
  readonly returnHomePct?: number;
  /** Judge with the e-stop engaged. Default false. */
  readonly estopEngaged?: boolean;
  /** Proposer named in the decisions for bare actions. Default `tasking/dry-run`. */
  readonly source?: string;
  /**
   * Fly the list as a route: after each approved or modified goto, the next
   * action is judged from that goto's target (at its altitude, at rest), so
   * every leg's straight path is checked, not only the first. Default false:
   * every action is judged from the given state.
   */
  readonly route?: boolean;
  /** Add every rule's own verdict (`rules`). Default true. */
  readonly explain?: boolean;
}

export interface DryRunResult {
  readonly decision: Decision;
  /** Every rule's own verdict, in order, even after a deny (see `GuardPipeline.explain`). */
  readonly rules?: readonly RuleTrace[];
}

/**
 * Judges proposed actions against a mission's guardrails without touching
 * anything: a fresh guard of the mission's rules (built-in and registered)
 * that no live run shares, judging with `preview`, so no rate-limit slot or
 * confirmation is spent, no event is published and nothing is commanded.
 * For tasking dry runs (a new search area's gotos at a new altitude and
 * speed) and `kestrel guard check`. The live guard's own view of the same
 * question is `guard.preview` (service `control.guard`).
 *
 * Not modelled: an active failsafe or pending operator confirmation (an
 * action in `requireConfirmation` comes back `confirmation.required`).
 *
 * @example
 * const results = dryRunActions(
 *   { guardrails: mission.guardrails, platform: mission.platform, origin: mission.origin, route: true },
 *   { pose, poseStampMs: now, battery, batteryStampMs: now, targets: [] },
 *   area.map(([x, y]) => ({ kind: 'goto', target: { frame: 'local', x, y }, altitudeM: 60, speedMps: 8 })),
 *   now,
 * ); // results[i].decision.verdict: 'allow' | 'modify' | 'deny'; metres, m/s, epoch ms
 */
export function dryRunActions(
  options: DryRunOptions,
  state: GuardState,
  actions: readonly (Action | GuardProposal)[],
  nowMs: number,
): DryRunResult[] {
  const g = options.guardrails;
  let returnHome: ReturnHomeThreshold | undefined;
  if (g.battery !== undefined) {
    returnHome = new ReturnHomeThreshold(g.battery.returnHomePct);
    if (options.returnHomePct !== undefined) returnHome.request(options.returnHomePct);
  }
  const guard = createGuard({
    guardrails: g,
    ...(options.platform === undefined ? {} : { platform: options.platform }),
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    ...(options.customActions === undefined ? {} : { customActions: options.customActions }),
    ...(returnHome === undefined ? {} : { returnHome }),
  });
  if (options.estopEngaged === true) guard.estop.engage('dry run with the e-stop engaged', nowMs);
  const frame =
    options.origin === undefined
      ? undefined
      : new EnuFrame({ latDeg: options.origin.lat, lonDeg: options.origin.lon, altM: options.origin.altM });
  const source = options.source ?? 'tasking/dry-run';
  const explain = options.explain ?? true;
  const out: DryRunResult[] = [];
  let current = state;
  actions.forEach((item, i) => {
    const proposal: GuardProposal =
      'action' in item ? item : { id: `dry-run-${i + 1}`, source, action: item, proposedAtMs: nowMs };
    const decision = guard.preview(proposal, current, nowMs);
    out.push(explain ? { decision, rules: guard.explain(proposal, current, nowMs) } : { decision });
    const done = decision.action;
    if (options.route === true && done?.kind === 'goto' && current.pose !== undefined) {
      const at = gotoPoint(done, frame);
      if (at !== undefined) current = { ...current, pose: movedPose(current.pose, at.x, at.y, done.altitudeM) };
    }
  });
  return out;
}

function gotoPoint(
  action: Extract<Action, { kind: 'goto' }>,
  frame: EnuFrame | undefined,
): { x: number; y: number } | undefined {
  const t = action.target;
  if (t.frame === 'local') return { x: t.x, y: t.y };
  if (frame === undefined) return undefined;
  const p = frame.toEnu(t.lat, t.lon, frame.origin.altM);
  return { x: p.x, y: p.y };
}

function movedPose(p: PoseEstimate, x: number, y: number, altitudeM: number | undefined): PoseEstimate {
  return {
    ...p,
    positionM: { x, y, z: altitudeM ?? p.positionM.z },
    linearVelocityMps: { x: 0, y: 0, z: 0 },
    yawRateRps: 0,
  };
}
