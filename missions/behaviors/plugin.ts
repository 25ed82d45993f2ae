import type { AssemblyContext, Component, KestrelPlugin, Retask } from '../../runtime/index.js';
import type { Mission } from '../schema/mission.js';
import type { Behavior } from '../schema/behavior.js';
import { AreaSearch, type AreaSearchConfig } from './area-search.js';
import { BehaviorComponent, type RetaskFactory } from './behavior-component.js';
import { Hold } from './hold.js';
import { Inspection } from './inspection.js';
import { zoneMiddle, type XY } from './lawnmower.js';
import { missionFrame, polygonToLocal } from './local-points.js';
import type { BehaviorLogic } from './logic.js';
import { Patrol } from './patrol.js';
import { Land, ReturnHome } from './return-home.js';

/**
 * Longest suppression burst, s: 40 L at the simulator's 2 L/s, the default
 * tank. The behavior stops a burst as soon as no flames are seen within
 * reach, so a burst is as long as the fire needs: a fire fought in short
 * bursts with a climb and a look between them grows back in between (a
 * cell doused halfway is burning fully again 20 s later), one fought until
 * the flames are down does not. A small fire costs a few litres; the rest
 * goes to the next fire.
 */
const SUPPRESS_S = 20;

/** The area-search parameters a mission implies: payload reach and capacity, the guard's floor and standoffs. */
export function areaSearchConfig(
  behavior: Extract<Behavior, { kind: 'area_search' }>,
  m: Mission,
  area: readonly XY[] = polygonToLocal(behavior.area, missionFrame(m)),
): AreaSearchConfig {
  const payload = m.platform.kind === 'multirotor' ? m.platform.payload : undefined;
  const releasable = payload !== undefined && (payload.kind === 'water' || payload.kind === 'retardant');
  return {
    area,
    laneSpacingM: behavior.laneSpacingM,
    altitudeM: behavior.altitudeM,
    speedMps: behavior.speedMps,
    onFire: behavior.onFire,
    suppressRangeM: behavior.suppressRangeM,
    returnHomePct: m.guardrails.battery?.returnHomePct,
    suppressS: SUPPRESS_S,
    ...(releasable ? { payloadRangeM: payload.rangeM, payloadCapacityL: payload.capacity } : {}),
    ...(releasable && payload.refill !== undefined
      ? {
          refill: {
            rateLps: payload.refill.rateLps,
            ...(payload.refill.at === 'home' ? {} : { at: payload.refill.at }),
          },
        }
      : {}),
    ...(m.guardrails.altitude === undefined ? {} : { minAltitudeM: m.guardrails.altitude.minM }),
    standoff: m.guardrails.standoff.map((s) => ({
      className: s.class,
      noPayloadM: s.noPayloadM ?? s.stopM,
    })),
  };
}

/** What an operator retask switches to, built from the mission and the behavior running now. */
export function retaskFactory(m: Mission): RetaskFactory {
  return (retask: Retask, current: BehaviorLogic, knownHome?: XY): BehaviorLogic | string => {
    const home = current.homeXY ?? knownHome;
    const mb = m.behavior;
    const base = mb.kind === 'area_search' ? mb : undefined;
    const alt = retask.altitudeM ?? ('altitudeM' in mb ? mb.altitudeM : undefined);
    const speed = retask.speedMps ?? ('speedMps' in mb ? mb.speedMps : 5);
    const kind = retask.behavior ?? (current.kind as Retask['behavior']);
    switch (kind) {
      case 'area_search': {
        const area = retask.area;
        if (area === undefined || area.length < 3) return 'area_search needs an area of at least 3 points';
        const behavior = {
          kind: 'area_search' as const,
          area: area.map(([x, y]) => [x, y] as [number, number]),
          laneSpacingM: base?.laneSpacingM ?? 40,
          speedMps: speed,
          onFire: base?.onFire ?? 'report',
          suppressRangeM: base?.suppressRangeM ?? 15,
          ...(alt === undefined ? {} : { altitudeM: alt }),
        };
        const cfg = areaSearchConfig(
          behavior,
          m,
          area.map(([x, y]) => [x, y] as const),
        );
        return new AreaSearch({
          ...cfg,
          ...(home === undefined ? {} : { home }),
          ...(retask.targets === undefined ? {} : { targets: retask.targets }),
          ...(retask.payload === undefined ? {} : { payload: retask.payload }),
        });
      }
      case 'patrol': {
        const route = retask.area ?? (mb.kind === 'patrol' ? mb.route : undefined);
        if (route === undefined || route.length < 2) return 'patrol needs a route (area) of at least 2 points';
        return new Patrol({
          route: route.map(([x, y]) => [x, y] as const),
          loop: mb.kind === 'patrol' ? mb.loop : true,
          speedMps: speed,
          altitudeM: alt,
          report: retask.targets ?? (mb.kind === 'patrol' ? mb.report : ['person', 'vehicle']),
        });
      }
      case 'inspection':
        // Over a zone: look at its middle ("inspect the quarry"); else the mission's own points.
        if (retask.area !== undefined) {
          const name = retask.areaName ?? 'the zone';
          return new Inspection([{ name, at: zoneMiddle(retask.area), dwellS: ZONE_DWELL_S }], speed);
        }
        if (mb.kind !== 'inspection') return 'inspection needs a zone: the mission defines no inspection points';
        return new Inspection(mb.points, speed);
      case 'hold':
      case 'land': {
        // Over a zone: fly to its middle first, at the operator's altitude or the mission's. In place: the
        // operator's altitude, else the one it has.
        const at = retask.area === undefined ? undefined : zoneMiddle(retask.area);
        const altitudeM = at === undefined ? retask.altitudeM : alt;
        if (kind === 'land') return at === undefined ? new Land() : new Land(at, altitudeM, speed);
        return new Hold({
          ...(at === undefined ? {} : { at }),
          ...(altitudeM === undefined ? {} : { altitudeM }),
          speedMps: speed,
        });
      }
      case 'return_home':
        return new ReturnHome(home, alt, speed);
      case undefined:
        return 'no behavior named';
    }
  };
}

/** How long an inspection retasked over a zone looks at it, s (a mission's own points default to 5). */
const ZONE_DWELL_S = 10;

function build(behavior: Behavior, ctx: AssemblyContext): Component {
  const m = ctx.mission;
  const options = { retask: retaskFactory(m) };
  switch (behavior.kind) {
    case 'area_search':
      return new BehaviorComponent(new AreaSearch(areaSearchConfig(behavior, m)), options);
    case 'patrol':
      return new BehaviorComponent(
        new Patrol({
          route: behavior.route,
          loop: behavior.loop,
          speedMps: behavior.speedMps,
          altitudeM: behavior.altitudeM,
          report: behavior.report,
        }),
        options,
      );
    case 'inspection':
      return new BehaviorComponent(new Inspection(behavior.points, behavior.speedMps), options);
    case 'hold':
      return new BehaviorComponent(new Hold(), options);
  }
}

/** Kestrel's mission behaviors. Each only proposes actions; the guard decides. */
export const behaviorsPlugin: KestrelPlugin = {
  name: 'kestrel-behaviors',
  behaviors: {
    area_search: build,
    patrol: build,
    inspection: build,
    hold: build,
  },
};
