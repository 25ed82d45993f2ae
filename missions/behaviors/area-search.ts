import type { Action, RuntimeEvent, Target } from '../../runtime/index.js';
import type { XY } from './lawnmower.js';
import { lawnmower } from './lawnmower.js';
import { distanceXY, gotoLocal, type BehaviorInput, type BehaviorLogic, type BehaviorOutput } from './logic.js';
import { WaypointCursor } from './waypoints.js';

export interface AreaSearchConfig {
  readonly area: readonly XY[];
  readonly laneSpacingM: number;
  readonly altitudeM: number | undefined;
  readonly speedMps: number;
  readonly onFire: 'suppress' | 'report';
  readonly suppressRangeM: number;
  /** Charge at which the search ends and the robot returns, %. */
  readonly returnHomePct: number | undefined;
  /** How long one suppression burst lasts, s. */
  readonly suppressS: number;
}

type Phase = 'takeoff' | 'search' | 'approach' | 'suppress' | 'return_home' | 'land' | 'done';

/**
 * Sweep the area in lanes; when a fire is in the world model, fly to
 * suppression range and release water (or just report it); return home when
 * the sweep is done or the battery reaches the reserve.
 */
export class AreaSearch implements BehaviorLogic {
  readonly kind = 'area_search';
  private phase: Phase = 'takeoff';
  private readonly route: WaypointCursor;
  private home: XY | undefined;
  private readonly handled = new Set<string>();
  private fire: Target | undefined;
  private suppressUntilMs = 0;

  constructor(private readonly cfg: AreaSearchConfig) {
    this.route = new WaypointCursor(lawnmower(cfg.area, cfg.laneSpacingM), 3, false);
  }

  step(input: BehaviorInput): BehaviorOutput {
    const pose = input.pose;
    if (pose === undefined) return { phase: 'waiting for pose' };
    this.home ??= [pose.positionM.x, pose.positionM.y];
    const events: RuntimeEvent[] = [];
    const lowBattery =
      this.cfg.returnHomePct !== undefined &&
      input.batteryPct !== undefined &&
      input.batteryPct <= this.cfg.returnHomePct;
    if (lowBattery && this.phase !== 'return_home' && this.phase !== 'land' && this.phase !== 'done') {
      this.phase = 'return_home';
      events.push({
        kind: 'behavior.return_home',
        severity: 'warning',
        message: `battery ${String(Math.round(input.batteryPct ?? 0))}%: returning home`,
      });
    }

    const newFire = input.targets.find((t) => t.className === 'fire' && !this.handled.has(t.id));
    if (newFire !== undefined && (this.phase === 'search' || this.phase === 'takeoff')) {
      this.handled.add(newFire.id);
      events.push({
        kind: 'behavior.fire_found',
        severity: 'warning',
        message: `fire ${newFire.id} at (${newFire.positionM.x.toFixed(0)}, ${newFire.positionM.y.toFixed(0)})`,
        data: { id: newFire.id, x: newFire.positionM.x, y: newFire.positionM.y },
      });
      if (this.cfg.onFire === 'suppress') {
        this.fire = newFire;
        this.phase = 'approach';
      }
    }

    const alt = this.cfg.altitudeM;
    let action: Action | undefined;
    switch (this.phase) {
      case 'takeoff':
        if (alt === undefined || pose.positionM.z >= alt - 2) this.phase = 'search';
        action = gotoLocal(pose.positionM.x, pose.positionM.y, alt);
        break;
      case 'search': {
        const wp = this.route.current(pose);
        if (wp === undefined) {
          this.phase = 'return_home';
          events.push({ kind: 'behavior.search_done', severity: 'info', message: 'area swept; returning home' });
          action = { kind: 'return_home' };
        } else {
          action = gotoLocal(wp[0], wp[1], alt, this.cfg.speedMps);
        }
        break;
      }
      case 'approach': {
        const fire = this.fire;
        if (fire === undefined) {
          this.phase = 'search';
          break;
        }
        const standoff = standoffPoint(pose.positionM, fire.positionM, this.cfg.suppressRangeM * 0.8);
        if (distanceXY(pose.positionM, [fire.positionM.x, fire.positionM.y]) <= this.cfg.suppressRangeM) {
          this.phase = 'suppress';
          this.suppressUntilMs = input.nowMs + this.cfg.suppressS * 1000;
          action = { kind: 'payload', on: true, durationS: this.cfg.suppressS };
          events.push({ kind: 'behavior.suppress', severity: 'info', message: `suppressing fire ${fire.id}` });
        } else {
          action = gotoLocal(standoff[0], standoff[1], alt, this.cfg.speedMps);
        }
        break;
      }
      case 'suppress':
        if (input.nowMs >= this.suppressUntilMs) {
          this.phase = 'search';
          this.fire = undefined;
          action = { kind: 'payload', on: false };
        } else {
          action = { kind: 'hold' };
        }
        break;
      case 'return_home': {
        const home = this.home;
        if (distanceXY(pose.positionM, home) <= 3) {
          this.phase = 'land';
          action = { kind: 'land' };
        } else {
          action = { kind: 'return_home' };
        }
        break;
      }
      case 'land':
        if (pose.positionM.z <= 0.3) {
          this.phase = 'done';
          events.push({ kind: 'behavior.done', severity: 'info', message: 'landed; mission complete' });
        }
        action = { kind: 'land' };
        break;
      case 'done':
        break;
    }
    return { phase: this.phaseLabel(), ...(action === undefined ? {} : { action }), events };
  }

  private phaseLabel(): string {
    if (this.phase !== 'search') return this.phase;
    const p = this.route.progress;
    return `search ${p.index}/${p.total}`;
  }
}

/** A point `rangeM` short of the target on the line from the robot, so the robot stops at range. */
function standoffPoint(from: { x: number; y: number }, to: { x: number; y: number }, rangeM: number): XY {
  const dx = from.x - to.x;
  const dy = from.y - to.y;
  const d = Math.hypot(dx, dy);
  if (d < 1e-6) return [to.x, to.y];
  return [to.x + (dx / d) * rangeM, to.y + (dy / d) * rangeM];
}
