import type { RuntimeEvent } from '../../runtime/index.js';
import type { XY } from './lawnmower.js';
import { gotoLocal, type BehaviorInput, type BehaviorLogic, type BehaviorOutput } from './logic.js';
import { WaypointCursor } from './waypoints.js';

export interface PatrolConfig {
  readonly route: readonly XY[];
  readonly loop: boolean;
  readonly speedMps: number;
  readonly altitudeM: number | undefined;
  /** Target classes reported once per target id. */
  readonly report: readonly string[];
}

/** Follow the route (round and round when `loop`), reporting each new target of a watched class. */
export class Patrol implements BehaviorLogic {
  readonly kind = 'patrol';
  private readonly cursor: WaypointCursor;
  private readonly reported = new Set<string>();

  constructor(private readonly cfg: PatrolConfig) {
    this.cursor = new WaypointCursor(cfg.route, 2, cfg.loop);
  }

  step(input: BehaviorInput): BehaviorOutput {
    if (input.pose === undefined) return { phase: 'waiting for pose' };
    const events: RuntimeEvent[] = [];
    for (const t of input.targets) {
      if (this.cfg.report.includes(t.className) && !this.reported.has(t.id)) {
        this.reported.add(t.id);
        events.push({
          kind: 'behavior.intrusion',
          severity: 'warning',
          message: `${t.className} ${t.id} at (${t.positionM.x.toFixed(0)}, ${t.positionM.y.toFixed(0)})`,
          data: { id: t.id, className: t.className, x: t.positionM.x, y: t.positionM.y },
        });
      }
    }
    const wp = this.cursor.current(input.pose);
    if (wp === undefined) return { phase: 'done', action: { kind: 'hold' }, events };
    const p = this.cursor.progress;
    return {
      phase: `patrol ${p.index + 1}/${p.total}`,
      action: gotoLocal(wp[0], wp[1], this.cfg.altitudeM, this.cfg.speedMps),
      events,
    };
  }
}
