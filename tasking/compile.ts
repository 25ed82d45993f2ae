import type { Mission } from '../missions/index.js';
import { lawnmower, missionFrame, polygonToLocal, zoneMiddle } from '../missions/index.js';
import type { Action, Retask } from '../runtime/index.js';
import type { Plan } from './plan.js';
import type { ZoneIndex } from './zones.js';

/** Why (part of) a plan cannot be carried out, before the guard is asked. */
export interface PlanRejection {
  readonly field: string;
  readonly code: string;
  readonly reason: string;
}

/** One action the plan would lead the behavior to propose, checked by the guard in the dry run. */
export interface PlanStep {
  readonly label: string;
  readonly action: Action;
}

export interface CompiledPlan {
  readonly retask: Retask;
  readonly steps: readonly PlanStep[];
  readonly rejections: readonly PlanRejection[];
}

type XY = readonly [number, number];

const DEFAULT_LANE_SPACING_M = 40;

/**
 * Turns a parsed plan into the retask the behavior would apply and the
 * actions it would then propose (the waypoints of a sweep, a patrol loop, a
 * visit), so the guard can judge the plan before it runs. Nothing here
 * decides what is safe: it only makes the plan concrete.
 */
export function compilePlan(plan: Plan, mission: Mission, zones: ZoneIndex, planId: string): CompiledPlan {
  const rejections: PlanRejection[] = [];
  let area: readonly XY[] | undefined;
  let areaName: string | undefined;
  if (plan.zone !== undefined) {
    const found = zones.resolve(plan.zone);
    if (found.ok) {
      area = found.zone.polygon;
      areaName = found.zone.name;
    } else {
      rejections.push({ field: 'zone', code: 'tasking.unknown_zone', reason: found.reason });
    }
  }

  const current = mission.behavior;
  const altitudeM = plan.altitudeM ?? ('altitudeM' in current ? current.altitudeM : undefined);
  const speedMps = plan.speedMps ?? ('speedMps' in current ? current.speedMps : undefined);
  const needsArea = plan.behavior === 'area_search' || plan.behavior === 'patrol' || plan.behavior === 'inspection';
  if (needsArea && area === undefined && plan.zone === undefined) {
    if (plan.behavior === 'area_search' && current.kind === 'area_search') {
      area = polygonToLocal(current.area, missionFrame(mission));
    } else {
      rejections.push({
        field: 'zone',
        code: 'tasking.zone_required',
        reason: `${plan.behavior} needs a zone (known zones: ${zones.known.join(', ') || 'none'})`,
      });
    }
  }

  const retask: Retask = {
    planId,
    behavior: plan.behavior,
    ...(areaName !== undefined ? { areaName } : {}),
    ...(area !== undefined ? { area } : {}),
    ...(plan.altitudeM !== undefined ? { altitudeM: plan.altitudeM } : {}),
    ...(plan.speedMps !== undefined ? { speedMps: plan.speedMps } : {}),
    ...(plan.returnHomePct !== undefined ? { returnHomePct: plan.returnHomePct } : {}),
    ...(plan.targets !== undefined ? { targets: plan.targets } : {}),
    ...(plan.payload !== undefined ? { payload: plan.payload } : {}),
  };

  const spacing = current.kind === 'area_search' ? current.laneSpacingM : DEFAULT_LANE_SPACING_M;
  const steps = area === undefined ? simpleSteps(plan) : areaSteps(plan, area, spacing, altitudeM, speedMps);
  return { retask, steps, rejections };
}

function simpleSteps(plan: Plan): PlanStep[] {
  switch (plan.behavior) {
    case 'hold':
      return [{ label: 'hold', action: { kind: 'hold' } }];
    case 'return_home':
      return [{ label: 'return home', action: { kind: 'return_home' } }];
    case 'land':
      return [{ label: 'land', action: { kind: 'land' } }];
    default:
      return [];
  }
}

function areaSteps(
  plan: Plan,
  area: readonly XY[],
  spacingM: number,
  altitudeM: number | undefined,
  speedMps: number | undefined,
): PlanStep[] {
  let points: readonly XY[];
  if (plan.behavior === 'area_search') points = lawnmower(area, spacingM);
  else if (plan.behavior === 'patrol') points = [...area, ...area.slice(0, 1)];
  else if (plan.behavior === 'inspection') points = [zoneMiddle(area)];
  // A hold or a landing over a zone flies to its middle first, as the behavior does (missions' retaskFactory).
  else if (plan.behavior === 'hold' || plan.behavior === 'land')
    return [goto(zoneMiddle(area), 0, 1), ...simpleSteps(plan)];
  else return simpleSteps(plan);
  // A degenerate area (thinner than a lane) still gets visited.
  if (points.length === 0) points = [zoneMiddle(area)];
  return points.map((p, i) => goto(p, i, points.length));

  function goto([x, y]: XY, i: number, n: number): PlanStep {
    return {
      label: `waypoint ${i + 1}/${n} (${x.toFixed(0)}, ${y.toFixed(0)})`,
      action: {
        kind: 'goto',
        target: { frame: 'local', x, y },
        ...(altitudeM !== undefined ? { altitudeM } : {}),
        ...(speedMps !== undefined ? { speedMps } : {}),
      },
    };
  }
}
