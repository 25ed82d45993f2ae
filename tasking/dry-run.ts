import { dryRunActions } from '../control/index.js';
import type { Mission } from '../missions/index.js';
import type { Action, BatteryState, PoseEstimate, Target, Verdict } from '../runtime/index.js';
import { yawToQuaternion } from '../runtime/index.js';
import type { CompiledPlan } from './compile.js';

/** Where the robot is when the plan would start: the dry run flies the plan from here. */
export interface DryRunStart {
  readonly positionM: { readonly x: number; readonly y: number; readonly z: number };
  readonly batteryPct: number;
  readonly targets: readonly Target[];
}

export interface StepVerdict {
  readonly step: string;
  readonly verdict: Verdict;
  readonly ruleId: string;
  readonly code: string;
  readonly reason: string;
  readonly requested: Action;
  readonly action?: Action;
}

export interface DryRunResult {
  /** deny if any step or guardrail change is denied, modify if any is changed, else allow. */
  readonly verdict: Verdict;
  readonly steps: readonly StepVerdict[];
}

const SOURCE = 'tasking';

/**
 * Judges a compiled plan with the mission's own guard rules (control's
 * `dryRunActions`: a fresh guard, no rate limit spent, no latch, nothing
 * published), step by step from where the previous step leaves the robot. At run time every action is judged again
 * against the live state; the dry run tells the operator in advance what the
 * guard would change or refuse, and why.
 */
export function dryRunPlan(compiled: CompiledPlan, mission: Mission, start: DryRunStart, nowMs: number): DryRunResult {
  const state = {
    pose: pose(start.positionM, nowMs),
    poseStampMs: nowMs,
    battery: battery(start.batteryPct),
    batteryStampMs: nowMs,
    targets: start.targets,
    targetsStampMs: nowMs,
    linkSeenMs: nowMs,
  };
  const steps = [...compiled.steps, ...planValueSteps(compiled, mission, start)];
  const judged = dryRunActions(
    {
      guardrails: mission.guardrails,
      platform: mission.platform,
      ...(mission.origin !== undefined ? { origin: mission.origin } : {}),
      source: SOURCE,
      // Each waypoint is judged from where the previous approved one leaves the robot.
      route: true,
      explain: false,
    },
    state,
    steps.map((step, i) => ({
      id: `${compiled.retask.planId}-${i + 1}`,
      source: SOURCE,
      action: step.action,
      proposedAtMs: nowMs,
    })),
    nowMs,
  );
  const verdicts: StepVerdict[] = judged.map(({ decision: d }, i) => ({
    step: steps[i]?.label ?? `step ${i + 1}`,
    verdict: d.verdict,
    ruleId: d.ruleId,
    code: d.code,
    reason: d.reason,
    requested: d.requested,
    ...(d.action !== undefined ? { action: d.action } : {}),
  }));
  verdicts.push(...guardrailChanges(compiled, mission));
  return { verdict: worst(verdicts.map((s) => s.verdict)), steps: verdicts };
}

/**
 * The plan's altitude and speed, judged where no step carries them. A sweep's
 * waypoints fly them and are judged with them; a hold or a landing does not,
 * yet a plan that says "hold at 10^15 m" must not come back allowed: its
 * values become the behavior's policy. They are judged as the guard judges a
 * goto to where the robot is, at that altitude and speed.
 */
function planValueSteps(compiled: CompiledPlan, mission: Mission, start: DryRunStart): CompiledPlan['steps'] {
  const { altitudeM, speedMps } = compiled.retask;
  if (altitudeM === undefined && speedMps === undefined) return [];
  if (compiled.steps.some((s) => s.action.kind === 'goto')) return [];
  // Unsaid, the speed is the one the mission's behavior flies (a goto with none is set to the limit).
  const speed = speedMps ?? ('speedMps' in mission.behavior ? mission.behavior.speedMps : undefined);
  const said = [
    ...(altitudeM === undefined ? [] : [`altitude ${altitudeM} m`]),
    ...(speedMps === undefined ? [] : [`speed ${speedMps} m/s`]),
  ];
  return [
    {
      label: `the plan's ${said.join(', ')}`,
      action: {
        kind: 'goto',
        target: { frame: 'local', x: start.positionM.x, y: start.positionM.y },
        ...(altitudeM === undefined ? {} : { altitudeM }),
        ...(speed === undefined ? {} : { speedMps: speed }),
      },
    },
  ];
}

/**
 * A plan may tighten a guardrail, never loosen it: the return-home battery
 * threshold can go up from the mission file's value (to at most 95%), not down.
 */
function guardrailChanges(compiled: CompiledPlan, mission: Mission): StepVerdict[] {
  const pct = compiled.retask.returnHomePct;
  if (pct === undefined) return [];
  const floor = mission.guardrails.battery?.returnHomePct ?? 0;
  const requested: Action = { kind: 'custom', name: 'guardrail.return_home_pct', params: { percent: pct } };
  const base = { step: `return home at ${pct}% battery`, ruleId: 'guardrail-bounds', requested };
  if (pct < floor) {
    return [
      {
        ...base,
        verdict: 'deny',
        code: 'guardrail.loosen',
        reason: `return-home threshold ${pct}% is below the mission's ${floor}%: a plan may raise it, never lower it`,
      },
    ];
  }
  if (pct > 95) {
    return [
      {
        ...base,
        verdict: 'deny',
        code: 'guardrail.out_of_range',
        reason: `return-home threshold ${pct}% is above 95%: the robot could not fly at all`,
      },
    ];
  }
  return [{ ...base, verdict: 'allow', code: 'ok', reason: `return home at ${pct}% (mission minimum ${floor}%)` }];
}

function worst(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('deny')) return 'deny';
  if (verdicts.includes('modify')) return 'modify';
  return 'allow';
}

function pose(p: DryRunStart['positionM'], nowMs: number): PoseEstimate {
  return {
    frameId: 'map',
    positionM: p,
    orientation: yawToQuaternion(0),
    yawRad: 0,
    // A confident estimate: the dry run judges the plan, not the filter.
    poseCovariance: [
      0.25, 0, 0, 0, 0, 0, 0, 0.25, 0, 0, 0, 0, 0, 0, 0.25, 0, 0, 0, 0, 0, 0, 0.01, 0, 0, 0, 0, 0, 0, 0.01, 0, 0, 0, 0,
      0, 0, 0.01,
    ],
    linearVelocityMps: { x: 0, y: 0, z: 0 },
    yawRateRps: 0,
    source: 'tasking-dry-run',
    measuredAtMs: nowMs,
  };
}

function battery(percent: number): BatteryState {
  return { frameId: 'battery', percent, voltageV: 0, currentA: 0 };
}
