import type { AssemblyContext, Component, KestrelPlugin } from '../../runtime/index.js';
import type { Behavior } from '../schema/behavior.js';
import { AreaSearch } from './area-search.js';
import { BehaviorComponent } from './behavior-component.js';
import { Hold } from './hold.js';
import { Inspection } from './inspection.js';
import { missionFrame, polygonToLocal } from './local-points.js';
import { Patrol } from './patrol.js';

function build(behavior: Behavior, ctx: AssemblyContext): Component {
  const m = ctx.mission;
  switch (behavior.kind) {
    case 'area_search':
      return new BehaviorComponent(
        new AreaSearch({
          area: polygonToLocal(behavior.area, missionFrame(m)),
          laneSpacingM: behavior.laneSpacingM,
          altitudeM: behavior.altitudeM,
          speedMps: behavior.speedMps,
          onFire: behavior.onFire,
          suppressRangeM: behavior.suppressRangeM,
          returnHomePct: m.guardrails.battery?.returnHomePct,
          suppressS: 5,
        }),
      );
    case 'patrol':
      return new BehaviorComponent(
        new Patrol({
          route: behavior.route,
          loop: behavior.loop,
          speedMps: behavior.speedMps,
          altitudeM: behavior.altitudeM,
          report: behavior.report,
        }),
      );
    case 'inspection':
      return new BehaviorComponent(new Inspection(behavior.points, behavior.speedMps));
    case 'hold':
      return new BehaviorComponent(new Hold());
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
