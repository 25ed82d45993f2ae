import type { Action, Decision, PoseEstimate, RuntimeEvent, Target } from '../../runtime/index.js';
import type { XY } from './lawnmower.js';
import { lawnmower } from './lawnmower.js';
import {
  distanceXY,
  gotoLocal,
  type BehaviorInput,
  type BehaviorLogic,
  type BehaviorOutput,
  type RetaskPolicy,
} from './logic.js';
import { LandingDetector } from './landing.js';
import { TankRefill, type RefillConfig } from './refill.js';
import { WaypointCursor } from './waypoints.js';

export interface AreaSearchConfig {
  readonly area: readonly XY[];
  readonly laneSpacingM: number;
  readonly altitudeM: number | undefined;
  readonly speedMps: number;
  readonly onFire: 'suppress' | 'report';
  /** Horizontal distance from the aim point within which water may be released, m (capped by the payload's reach). */
  readonly suppressRangeM: number;
  /** Charge at which the search ends and the robot returns, %. */
  readonly returnHomePct: number | undefined;
  /**
   * Longest suppression burst, s. A burst ends sooner when nothing of the
   * fire has been seen burning under the vehicle for KNOCKDOWN_MS (the
   * flames are knocked down), and never asks for more water than is left.
   */
  readonly suppressS: number;
  /**
   * Reach of the payload, m, measured in 3D from the nozzle (the simulator's
   * water reaches the ground only when the vehicle is lower than this).
   * Undefined: no releasable payload, fires are reported only.
   */
  readonly payloadRangeM?: number;
  /** Water carried, L. Default: unlimited (the behavior then never runs dry on paper). */
  readonly payloadCapacityL?: number;
  /** Release rate, L/s (used to book the water each approved burst spends). Default 2. */
  readonly payloadFlowLps?: number;
  /** The guard's altitude floor, m: the behavior never plans below it (plus a 1 m margin). */
  readonly minAltitudeM?: number;
  /** Fire sightings closer than this to a known fire belong to it: one fire, one target, m. Default 60. */
  readonly fireMergeM?: number;
  /** After a burst, watch from search altitude this long before calling a fire out, s. Default 6. */
  readonly confirmS?: number;
  /**
   * Bursts per fire before it is reported still burning and the search
   * resumes. Default 4: a fire half fought grows back, so the water goes on
   * the fire in hand until it is out or the tank is empty.
   */
  readonly maxBurstsPerFire?: number;
  /** Standoffs the guard applies (by class); the behavior keeps its aim point clear of them. */
  readonly standoff?: readonly { readonly className: string; readonly noPayloadM: number }[];
  /** Target classes, highest priority first; fire handling needs `fire` here. Default ['fire']. */
  readonly targets?: readonly string[];
  /** Payload policy. Default auto. */
  readonly payload?: 'auto' | 'confirm' | 'off';
  /** Where the robot took off, when known (a retask keeps it). */
  readonly home?: XY;
  /**
   * The payload can be refilled at base (the platform's `payload.refill`):
   * out of water with a fire still burning, or with search left, the
   * behavior flies there, lands, waits until full and goes back. Absent:
   * an empty tank means fires are reported only.
   */
  readonly refill?: RefillConfig;
  /** Refill trips for one fire before it is reported still burning. Default 3. */
  readonly maxRefillsPerFire?: number;
}

type Phase =
  | 'takeoff'
  | 'search'
  | 'transit'
  | 'descend'
  | 'await_confirm'
  | 'suppress'
  | 'climb'
  | 'confirm'
  | 'refill_transit'
  | 'refill_land'
  | 'refilling'
  | 'return_to_fire'
  | 'return_home'
  | 'land'
  | 'done';

type IncidentState = 'new' | 'active' | 'out' | 'burning' | 'skipped' | 'reported';

/** One physical fire: every fire target the world model holds near it. */
interface Incident {
  readonly id: string;
  x: number;
  y: number;
  readonly members: Map<string, Target>;
  state: IncidentState;
  bursts: number;
  waterL: number;
  readonly foundMs: number;
  /** Not before this time (a person was too close to release). */
  notBeforeMs: number;
  deferrals: number;
  outAtMs: number;
  /** Newest sighting of any of its hot spots, ms. */
  lastSeenMs: number;
  /** Left burning when the tank ran dry: fought again first once the tank is refilled. */
  awaitingWater: boolean;
  /** Refill trips made for it. */
  refills: number;
  /** Bursts before the current tank: the per-fire burst limit counts per tankful. */
  burstBase: number;
}

export interface FireStatus {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly state: IncidentState;
  readonly bursts: number;
  readonly waterL: number;
  readonly refills: number;
}

const GOTO_DENIALS_BEFORE_SKIP = 5;
const DEFAULT_MAX_BURSTS = 4;
const PAYLOAD_DENIALS_BEFORE_SKIP = 3;
const PAYLOAD_RETRY_MS = 2500;
const PERSON_RETRY_MS = 60_000;
/** Hot spots seen within this long of a fire's newest sighting are what burns now, ms. */
const FRESH_MS = 8000;
/** How far the vehicle may be from its aim point and still release, m. */
const AIM_TOLERANCE_M = 2;
/** Beyond a fire's outermost hot spot the water disc must reach this much further: a 5 m fuel cell plus position error, m. */
const DISC_MARGIN_M = 7;
/**
 * Vertical error the release altitude allows for, m: the water disc is
 * planned as if the vehicle were this much higher than its estimate says.
 * GNSS height wanders by about 2 m (1 σ) and more after an outage; 3 m too
 * high at 18 m shrinks a 20 m reach's 9 m disc to nothing.
 */
const VERTICAL_MARGIN_M = 4;
/** Fire sightings further than this outside the search area are reported, not chased, m. */
const AREA_MARGIN_M = 20;
/** Narrowest disc the behavior releases over, m (a single hot spot). */
const MIN_DISC_M = 8;
/** Shortest burst, s: less water than this is not worth a descent. */
const MIN_BURST_S = 2;
/** A burst stops once no hot spot of the fire within reach has been seen for this long, ms. */
const KNOCKDOWN_MS = 2000;
/** During a burst the aim moves to what still burns in reach once that is this far from it, m. */
const WALK_MIN_M = 2;
const DEFAULT_MAX_REFILLS_PER_FIRE = 3;
/** Back over a fire after a refill, within this distance of its last known centre the look begins, m. */
const LOOK_ARRIVAL_M = 5;

/**
 * Sweep the area in lanes; when a fire is confirmed, fly over the hot spots
 * seen burning, descend until the payload's water disc (a 3D reach: water
 * from 40 m never lands) covers them, and release until no flames are seen
 * within reach. Then climb back and watch: no fresh sighting for `confirmS`
 * means the fire is out; otherwise aim again at what still burns, up to
 * `maxBurstsPerFire` bursts while water lasts. Then resume the sweep where it
 * left off. Return home when the sweep is done or the battery reaches the
 * reserve, and land.
 *
 * All the fire targets the world model holds within `fireMergeM` of each
 * other are one fire (a spreading fire is seen as many hot spots). Every
 * guard decision on its own proposals comes back as input: a goto denied
 * again and again, or a payload the guard will not release, makes the
 * behavior give that fire up and say why, instead of asking forever.
 */
export class AreaSearch implements BehaviorLogic {
  readonly kind = 'area_search';
  private phase: Phase = 'takeoff';
  /** Where the climb began: the climb holds over it (aiming at the current position would follow any drift). */
  private launchXY: readonly [number, number] | undefined;
  private readonly route: WaypointCursor;
  private home: XY | undefined;
  private readonly incidents: Incident[] = [];
  private active: Incident | undefined;
  private aim: XY | undefined;
  private burstEndMs = 0;
  private confirmUntilMs = 0;
  private waterUsedL = 0;
  private gotoDenials = 0;
  private payloadDenials = 0;
  private payloadRetryMs = 0;
  private payloadProposed = false;
  /** The burst in progress was approved (its water booked) at this time, ms; undefined until then. */
  private burstApprovedMs: number | undefined;
  /** Water given back when a burst was stopped early; booked again if the guard denies the stop. */
  private refundL = 0;
  private confirmRequest: string | undefined;
  private confirmed = false;
  private altitudeM: number | undefined;
  private speedMps: number;
  private targetClasses: readonly string[];
  private payloadPolicy: 'auto' | 'confirm' | 'off';
  private pendingEvents: RuntimeEvent[] = [];
  private seq = 0;
  private dryAnnounced = false;
  /** Fire targets sighted outside the search area: reported once, never chased. */
  private readonly outsideArea = new Set<string>();
  /** Release altitude for the fire in hand, m: its disc covers the hot spots seen. */
  private releaseAltM: number | undefined;
  private readonly landing = new LandingDetector();
  /** The refill book while on the pad; undefined when the payload cannot be refilled. */
  private readonly tank: TankRefill | undefined;
  /** Completed refills. */
  private refillCount = 0;
  /** The guard would not let it reach the refill point: no more refills this mission. */
  private refillBlocked = false;
  /** Back over a fire after a refill: sightings since then are what burns now, ms. */
  private watchFromMs: number | undefined;

  constructor(private readonly cfg: AreaSearchConfig) {
    this.route = new WaypointCursor(lawnmower(cfg.area, cfg.laneSpacingM), 3, false);
    this.altitudeM = cfg.altitudeM;
    this.speedMps = cfg.speedMps;
    this.targetClasses = cfg.targets ?? ['fire'];
    this.payloadPolicy = cfg.payload ?? 'auto';
    this.home = cfg.home;
    const capacity = cfg.payloadCapacityL;
    this.tank =
      cfg.refill === undefined || capacity === undefined || !Number.isFinite(capacity)
        ? undefined
        : new TankRefill(cfg.refill, capacity);
  }

  /** Refills completed so far. */
  get refills(): number {
    return this.refillCount;
  }

  get homeXY(): XY | undefined {
    return this.home;
  }

  /** Every fire found so far and what became of it. */
  fires(): FireStatus[] {
    return this.incidents.map((i) => ({
      id: i.id,
      x: i.x,
      y: i.y,
      state: i.state,
      bursts: i.bursts,
      waterL: i.waterL,
      refills: i.refills,
    }));
  }

  get waterLeftL(): number {
    return (this.cfg.payloadCapacityL ?? Infinity) - this.waterUsedL;
  }

  retask(policy: RetaskPolicy): readonly string[] {
    const changed: string[] = [];
    if (policy.targets !== undefined) {
      this.targetClasses = policy.targets;
      changed.push(`targets ${policy.targets.join(' > ') || 'none'}`);
    }
    if (policy.payload !== undefined && policy.payload !== this.payloadPolicy) {
      this.payloadPolicy = policy.payload;
      changed.push(`payload ${policy.payload}`);
    }
    if (policy.altitudeM !== undefined && policy.altitudeM !== this.altitudeM) {
      this.altitudeM = policy.altitudeM;
      changed.push(`altitude ${policy.altitudeM} m`);
    }
    if (policy.speedMps !== undefined && policy.speedMps !== this.speedMps) {
      this.speedMps = policy.speedMps;
      changed.push(`speed ${policy.speedMps} m/s`);
    }
    return changed;
  }

  confirm(requestId: string): boolean {
    if (this.phase !== 'await_confirm' || requestId !== this.confirmRequest) return false;
    this.confirmed = true;
    return true;
  }

  step(input: BehaviorInput): BehaviorOutput {
    const pose = input.pose;
    if (pose === undefined) return { phase: 'waiting for pose' };
    this.home ??= [pose.positionM.x, pose.positionM.y];
    const events: RuntimeEvent[] = this.pendingEvents;
    this.pendingEvents = [];
    for (const d of input.decisions ?? []) this.onDecision(d, input.nowMs, events);
    if (this.targetClasses.includes('fire')) this.updateIncidents(input, events);

    const lowBattery =
      this.cfg.returnHomePct !== undefined &&
      input.batteryPct !== undefined &&
      input.batteryPct <= this.cfg.returnHomePct;
    if (lowBattery && this.phase !== 'return_home' && this.phase !== 'land' && this.phase !== 'done') {
      this.abandonActive('battery at the reserve', events);
      this.giveUpAwaiting('battery at the reserve', events);
      this.phase = 'return_home';
      events.push({
        kind: 'behavior.return_home',
        severity: 'warning',
        message: `battery ${String(Math.round(input.batteryPct ?? 0))}%: returning home`,
      });
    }

    if (this.phase === 'search' && this.refillDue()) this.startRefill(events);
    if (this.phase === 'search') this.pickIncident(input, events);
    const action = this.act(input, pose, events);
    const frameStampMs = this.frameStamp();
    return {
      phase: this.phaseLabel(),
      ...(action === undefined ? {} : { action }),
      events,
      ...(frameStampMs === undefined ? {} : { frameStampMs }),
    };
  }

  private act(input: BehaviorInput, pose: PoseEstimate, events: RuntimeEvent[]): Action | undefined {
    const now = input.nowMs;
    const alt = this.altitudeM;
    const p = pose.positionM;
    switch (this.phase) {
      case 'takeoff': {
        if (alt === undefined || p.z >= alt - 2) this.phase = 'search';
        // Wind pushes a climbing multirotor sideways; climb over the launch point, not wherever it has drifted to.
        this.launchXY ??= [p.x, p.y];
        return gotoLocal(this.launchXY[0], this.launchXY[1], alt);
      }
      case 'search': {
        const wp = this.route.current(pose);
        if (wp === undefined) {
          this.phase = 'return_home';
          events.push({
            kind: 'behavior.search_done',
            severity: 'info',
            message: `area swept (${this.fireSummary()}); returning home`,
            data: { fires: this.fires() },
          });
          return this.goHome(pose);
        }
        if (this.gotoDenials >= GOTO_DENIALS_BEFORE_SKIP) {
          // A lane end the guard will not fly to (fence, no-go zone): skip it rather than ask forever.
          events.push({
            kind: 'behavior.waypoint_skipped',
            severity: 'warning',
            message: `waypoint (${wp[0].toFixed(0)}, ${wp[1].toFixed(0)}) denied ${GOTO_DENIALS_BEFORE_SKIP} times; skipped`,
          });
          this.gotoDenials = 0;
          this.route.skip();
          return undefined;
        }
        return gotoLocal(wp[0], wp[1], alt, this.speedMps);
      }
      case 'transit': {
        const aim = this.aim;
        const fire = this.active;
        if (aim === undefined || fire === undefined) return this.resumeSearch();
        if (this.gotoDenials >= GOTO_DENIALS_BEFORE_SKIP) {
          this.skipActive('the guard denies the way there', events);
          return { kind: 'hold' };
        }
        if (distanceXY(p, aim) <= 3) this.phase = 'descend';
        return gotoLocal(aim[0], aim[1], alt, this.speedMps);
      }
      case 'descend': {
        const aim = this.aim;
        const fire = this.active;
        const low = this.releaseAltM;
        if (aim === undefined || fire === undefined || low === undefined) return this.resumeSearch();
        if (this.gotoDenials >= GOTO_DENIALS_BEFORE_SKIP) {
          this.skipActive('the guard denies the descent', events);
          return { kind: 'hold' };
        }
        if (this.inReach(p, aim, low)) {
          if (this.payloadPolicy === 'confirm') {
            this.phase = 'await_confirm';
            this.confirmed = false;
            this.confirmRequest = `${fire.id}-burst-${String(fire.bursts + 1)}`;
            events.push({
              kind: 'behavior.payload_confirm_requested',
              severity: 'warning',
              message: `over ${fire.id}: waiting for an operator to confirm release ${this.confirmRequest}`,
              data: { request: this.confirmRequest, fire: fire.id },
            });
            return { kind: 'hold' };
          }
          return this.startBurst(now, fire, events);
        }
        return gotoLocal(aim[0], aim[1], low, Math.min(this.speedMps, 4));
      }
      case 'await_confirm': {
        const fire = this.active;
        if (fire === undefined) return this.resumeSearch();
        if (this.payloadPolicy === 'off') {
          this.skipActive('payload switched off by the operator', events);
          return { kind: 'hold' };
        }
        if (this.confirmed || this.payloadPolicy === 'auto') return this.startBurst(now, fire, events);
        return { kind: 'hold' };
      }
      case 'suppress': {
        const fire = this.active;
        const aim = this.aim;
        if (fire === undefined || aim === undefined) return this.resumeSearch();
        if (this.payloadDenials >= PAYLOAD_DENIALS_BEFORE_SKIP) {
          this.skipActive('the guard denies the release', events);
          return { kind: 'payload', on: false };
        }
        if (!this.payloadProposed && now >= this.payloadRetryMs) return this.proposeBurst(now);
        if (this.payloadProposed && now >= this.burstEndMs) {
          this.phase = 'climb';
          return gotoLocal(fire.x, fire.y, alt, this.speedMps);
        }
        const approvedMs = this.burstApprovedMs;
        if (
          approvedMs !== undefined &&
          now - approvedMs >= MIN_BURST_S * 1000 &&
          !this.burningInReach(fire, p, now - KNOCKDOWN_MS)
        ) {
          // Knocked down: stop pouring, keep the rest of the tank, and go and look.
          const unusedL = ((this.burstEndMs - now) / 1000) * this.flowLps();
          this.waterUsedL -= unusedL;
          fire.waterL -= unusedL;
          this.refundL = unusedL;
          this.burstEndMs = now;
          this.phase = 'climb';
          events.push({
            kind: 'behavior.knocked_down',
            severity: 'info',
            message: `${fire.id}: no flames in reach for ${String(KNOCKDOWN_MS / 1000)} s; release stopped (${fire.waterL.toFixed(0)} L on it, ${this.formatWater()} left)`,
            data: { fire: fire.id, waterL: fire.waterL, waterLeftL: this.waterLeftL },
          });
          return { kind: 'payload', on: false };
        }
        const to = this.walkAim(fire, p, aim, now, this.personsOf(input.targets)) ?? aim;
        this.aim = to;
        return gotoLocal(to[0], to[1], this.releaseAltM, 2);
      }
      case 'climb': {
        const fire = this.active;
        if (fire === undefined) return this.resumeSearch();
        if (alt === undefined || p.z >= alt - 2) {
          this.phase = 'confirm';
          this.confirmUntilMs = now + (this.cfg.confirmS ?? 6) * 1000;
        }
        return gotoLocal(fire.x, fire.y, alt, this.speedMps);
      }
      case 'confirm': {
        const fire = this.active;
        if (fire === undefined) return this.resumeSearch();
        if (now < this.confirmUntilMs) return gotoLocal(fire.x, fire.y, alt, this.speedMps);
        return this.judge(fire, input, events);
      }
      case 'refill_transit':
      case 'refill_land':
      case 'refilling':
        return this.refillStep(this.phase, pose, now, events);
      case 'return_to_fire': {
        const fire = this.active;
        if (fire === undefined) return this.resumeSearch();
        if (this.gotoDenials >= GOTO_DENIALS_BEFORE_SKIP) {
          this.skipActive('the guard denies the way back', events);
          return { kind: 'hold' };
        }
        if (distanceXY(p, [fire.x, fire.y]) <= LOOK_ARRIVAL_M) {
          // Over it again: look before aiming, it has grown (or died down) while the tank was filled.
          this.watchFromMs = now;
          this.phase = 'confirm';
          this.confirmUntilMs = now + (this.cfg.confirmS ?? 6) * 1000;
        }
        return gotoLocal(fire.x, fire.y, alt, this.speedMps);
      }
      case 'return_home':
        return this.goHome(pose);
      case 'land':
        if (this.onGround(pose, now)) {
          this.phase = 'done';
          events.push({
            kind: 'behavior.done',
            severity: 'info',
            message: `landed; mission complete (${this.fireSummary()})`,
            data: { fires: this.fires(), refills: this.refillCount },
          });
        }
        return { kind: 'land' };
      case 'done':
        return undefined;
    }
  }

  /** After the watch: out, another burst, or still burning and reported. */
  private judge(fire: Incident, input: BehaviorInput, events: RuntimeEvent[]): Action | undefined {
    const sinceMs = this.watchFromMs ?? this.burstEndMs;
    this.watchFromMs = undefined;
    const fresh = [...fire.members.values()].filter((t) => t.lastSeenMs > sinceMs);
    if (fresh.length === 0) {
      fire.state = 'out';
      fire.outAtMs = input.nowMs;
      events.push({
        kind: 'behavior.fire_out',
        severity: 'info',
        message: `${fire.id} is out after ${String(fire.bursts)} burst(s) (${fire.waterL.toFixed(0)} L)`,
        data: { fire: fire.id, bursts: fire.bursts, waterL: fire.waterL },
      });
      return this.resumeSearch();
    }
    const persons = this.personsOf(input.targets);
    // Aim again, at what still burns: the hot spots seen since the burst ended.
    const plan = this.planRelease(fire, persons, sinceMs);
    const water = this.waterLeftL >= this.burstL(MIN_BURST_S);
    const burstsLeft = fire.bursts - fire.burstBase < (this.cfg.maxBurstsPerFire ?? DEFAULT_MAX_BURSTS);
    if (burstsLeft && !water && plan !== undefined && this.canRefillFor(fire)) {
      // Only the water is missing: fetch more and come back to this fire before anything else.
      fire.state = 'new';
      fire.awaitingWater = true;
      fire.refills++;
      return this.resumeSearch();
    }
    if (burstsLeft && water && plan !== undefined) {
      this.aim = plan.aim;
      this.releaseAltM = plan.altitudeM;
      this.phase = 'transit';
      this.gotoDenials = 0;
      return gotoLocal(plan.aim[0], plan.aim[1], this.altitudeM, this.speedMps);
    }
    fire.state = 'burning';
    events.push({
      kind: 'behavior.fire_not_out',
      severity: 'warning',
      message: `${fire.id} still burning after ${String(fire.bursts)} burst(s)${water ? '' : ' (out of water)'}; reported, search resumes`,
      data: { fire: fire.id, bursts: fire.bursts, waterLeftL: this.waterLeftL, x: fire.x, y: fire.y },
    });
    return this.resumeSearch();
  }

  private startBurst(now: number, fire: Incident, events: RuntimeEvent[]): Action | undefined {
    this.phase = 'suppress';
    this.payloadProposed = false;
    this.payloadDenials = 0;
    this.payloadRetryMs = now;
    events.push({
      kind: 'behavior.suppress',
      severity: 'info',
      message: `suppressing ${fire.id} (burst ${String(fire.bursts + 1)}, ${this.formatWater()} left)`,
      data: { fire: fire.id, burst: fire.bursts + 1 },
    });
    return this.proposeBurst(now);
  }

  /** Proposes a release: the longest burst, or what is left in the tank if less. */
  private proposeBurst(now: number): Action {
    const durationS = Math.min(this.cfg.suppressS, Math.floor((this.waterLeftL / this.flowLps()) * 10) / 10);
    this.payloadProposed = true;
    this.burstApprovedMs = undefined;
    this.refundL = 0;
    this.burstEndMs = now + durationS * 1000;
    return { kind: 'payload', on: true, durationS };
  }

  /**
   * The fire's hot spots seen since `sinceMs` under the water disc the
   * vehicle pours now: the disc at its height, not the widest one (from the
   * release floor). Flames between the two are seen but never wetted: they
   * get their own aim after the look, not this burst's water.
   */
  private hotSpotsInReach(fire: Incident, p: { x: number; y: number; z: number }, sinceMs: number): Target[] {
    const reach = this.discAtM(p.z);
    return [...fire.members.values()].filter(
      (m) => m.lastSeenMs >= sinceMs && Math.hypot(m.positionM.x - p.x, m.positionM.y - p.y) <= reach,
    );
  }

  private burningInReach(fire: Incident, p: { x: number; y: number; z: number }, sinceMs: number): boolean {
    return this.hotSpotsInReach(fire, p, sinceMs).length > 0;
  }

  private flowLps(): number {
    return this.cfg.payloadFlowLps ?? 2;
  }

  private onDecision(d: Decision, now: number, events: RuntimeEvent[]): void {
    const a = d.requested;
    if (a.kind === 'payload' && !a.on && d.verdict === 'deny' && this.refundL > 0) {
      // The stop was denied: the tank keeps pouring to the end of the burst.
      this.waterUsedL += this.refundL;
      if (this.active !== undefined) this.active.waterL += this.refundL;
      this.refundL = 0;
      return;
    }
    if (a.kind === 'payload' && a.on) {
      if (d.verdict === 'deny') {
        // A rate limit only says "not yet": retry without counting it toward giving up.
        if (!d.code.startsWith('rate.')) this.payloadDenials++;
        this.payloadProposed = false;
        this.payloadRetryMs = now + PAYLOAD_RETRY_MS;
        events.push({
          kind: 'behavior.payload_denied',
          severity: 'warning',
          message: `release denied (${d.code}): ${d.reason}`,
          data: { code: d.code, fire: this.active?.id ?? null },
        });
        return;
      }
      const litres = this.burstL(a.durationS);
      this.waterUsedL += litres;
      this.burstApprovedMs = now;
      if (this.active !== undefined) {
        this.active.bursts++;
        this.active.waterL += litres;
      }
      return;
    }
    // Only a denial of where it goes counts: a failsafe, a stale source or an e-stop denies everything for a while.
    if (a.kind === 'goto' && !/^(failsafe|source|estop)\./.test(d.code))
      this.gotoDenials = d.verdict === 'deny' ? this.gotoDenials + 1 : 0;
  }

  /** Folds the world model's fire targets into fires: one fire, one incident. */
  private updateIncidents(input: BehaviorInput, events: RuntimeEvent[]): void {
    const mergeM = this.cfg.fireMergeM ?? 60;
    for (const t of input.targets) {
      if (t.className !== 'fire') continue;
      if (this.outsideArea.has(t.id)) continue;
      if (distanceOutside(this.cfg.area, t.positionM.x, t.positionM.y) > AREA_MARGIN_M) {
        // Not this mission's ground (or a sighting projected from a bad pose): tell the operator, do not fly there.
        this.outsideArea.add(t.id);
        events.push({
          kind: 'behavior.fire_outside_area',
          severity: 'warning',
          message: `fire sighted at (${t.positionM.x.toFixed(0)}, ${t.positionM.y.toFixed(0)}), outside the search area; reported only (target ${t.id})`,
          data: { target: t.id, x: t.positionM.x, y: t.positionM.y },
        });
        continue;
      }
      let owner: Incident | undefined;
      for (const inc of this.incidents) {
        if (inc.members.has(t.id)) {
          owner = inc;
          break;
        }
      }
      if (owner === undefined) {
        let bestD = Infinity;
        for (const inc of this.incidents) {
          for (const m of inc.members.values()) {
            const d = Math.hypot(m.positionM.x - t.positionM.x, m.positionM.y - t.positionM.y);
            if (d <= mergeM && d < bestD) {
              bestD = d;
              owner = inc;
            }
          }
        }
      }
      if (owner === undefined) {
        owner = {
          id: `fire#${String(++this.seq)}`,
          x: t.positionM.x,
          y: t.positionM.y,
          members: new Map(),
          state: 'new',
          bursts: 0,
          waterL: 0,
          foundMs: input.nowMs,
          notBeforeMs: 0,
          deferrals: 0,
          outAtMs: Infinity,
          lastSeenMs: t.lastSeenMs,
          awaitingWater: false,
          refills: 0,
          burstBase: 0,
        };
        this.incidents.push(owner);
        events.push({
          kind: 'behavior.fire_found',
          severity: 'warning',
          message: `${owner.id} at (${t.positionM.x.toFixed(0)}, ${t.positionM.y.toFixed(0)}) (target ${t.id})`,
          data: { fire: owner.id, target: t.id, x: t.positionM.x, y: t.positionM.y },
        });
      } else if (owner.state === 'out' && t.lastSeenMs > owner.outAtMs) {
        // Seen burning after it was called out: rekindled, handle it again.
        owner.state = 'new';
        owner.outAtMs = Infinity;
        events.push({
          kind: 'behavior.fire_rekindled',
          severity: 'warning',
          message: `${owner.id} burning again at (${t.positionM.x.toFixed(0)}, ${t.positionM.y.toFixed(0)})`,
          data: { fire: owner.id, target: t.id },
        });
      }
      owner.members.set(t.id, t);
      owner.lastSeenMs = Math.max(owner.lastSeenMs, t.lastSeenMs);
      // Where it burns now: the centre of the hot spots seen lately (spots put out stop being seen).
      let sx = 0;
      let sy = 0;
      let n = 0;
      for (const m of owner.members.values()) {
        if (m.lastSeenMs < owner.lastSeenMs - FRESH_MS) continue;
        sx += m.positionM.x;
        sy += m.positionM.y;
        n++;
      }
      owner.x = sx / n;
      owner.y = sy / n;
    }
  }

  private pickIncident(input: BehaviorInput, events: RuntimeEvent[]): void {
    const persons = this.personsOf(input.targets);
    // A fire left for want of water comes first: it has been burning unattended since.
    const order = [...this.incidents.filter((i) => i.awaitingWater), ...this.incidents.filter((i) => !i.awaitingWater)];
    for (const inc of order) {
      if (inc.state !== 'new' || input.nowMs < inc.notBeforeMs) continue;
      if (inc.awaitingWater && this.canSuppress()) {
        this.returnToFire(inc, events);
        return;
      }
      if (!this.canSuppress()) {
        inc.state = 'reported';
        events.push({
          kind: 'behavior.fire_reported',
          severity: 'warning',
          message: `${inc.id} reported, not suppressed (${this.whyNoSuppress()})`,
          data: { fire: inc.id, x: inc.x, y: inc.y },
        });
        continue;
      }
      const plan = this.planRelease(inc, persons);
      if (plan === undefined) {
        inc.deferrals++;
        inc.notBeforeMs = input.nowMs + PERSON_RETRY_MS;
        events.push({
          kind: 'behavior.fire_deferred',
          severity: 'warning',
          message: `${inc.id}: a person is within the no-payload distance; retry in ${String(PERSON_RETRY_MS / 1000)} s`,
          data: { fire: inc.id },
        });
        if (inc.deferrals >= 3) inc.state = 'skipped';
        continue;
      }
      inc.state = 'active';
      this.active = inc;
      this.aim = plan.aim;
      this.releaseAltM = plan.altitudeM;
      this.phase = 'transit';
      this.gotoDenials = 0;
      return;
    }
  }

  /**
   * Where and from how high to release on a fire: over the hot spots seen
   * burning (since `sinceMs`; default: within FRESH_MS of its newest
   * sighting), at the point whose water disc covers the most of them, from
   * the altitude whose disc just covers them (plus a cell and the aim
   * tolerance). Water lands only on burning cells, so a disc wider than the
   * fire wastes nothing; one narrower than the fire lets its edge burn on.
   * Undefined when no candidate aim point is clear of persons.
   */
  private planRelease(
    inc: Incident,
    persons: readonly Target[],
    sinceMs = inc.lastSeenMs - FRESH_MS,
  ): { aim: XY; altitudeM: number } | undefined {
    const maxDisc = this.maxDiscM();
    if (maxDisc === undefined) return undefined;
    let spots = [...inc.members.values()].filter((m) => m.lastSeenMs >= sinceMs);
    if (spots.length === 0) spots = [...inc.members.values()].filter((m) => m.lastSeenMs >= inc.lastSeenMs - FRESH_MS);
    if (spots.length === 0) return undefined;
    const centroid: XY = [
      spots.reduce((a, m) => a + m.positionM.x, 0) / spots.length,
      spots.reduce((a, m) => a + m.positionM.y, 0) / spots.length,
    ];
    const candidates: XY[] = [centroid, ...spots.map((m): XY => [m.positionM.x, m.positionM.y])];
    let best: { aim: XY; covered: number; needM: number; offM: number } | undefined;
    for (const c of candidates) {
      if (!this.clearOfPersons({ x: c[0], y: c[1] }, persons)) continue;
      let covered = 0;
      let needM = 0;
      for (const m of spots) {
        const r = Math.hypot(m.positionM.x - c[0], m.positionM.y - c[1]) + DISC_MARGIN_M + AIM_TOLERANCE_M;
        if (r > maxDisc) continue;
        covered++;
        needM = Math.max(needM, r);
      }
      const offM = Math.hypot(c[0] - centroid[0], c[1] - centroid[1]);
      if (
        best === undefined ||
        covered > best.covered ||
        (covered === best.covered && (needM < best.needM - 0.5 || (needM <= best.needM + 0.5 && offM < best.offM)))
      )
        best = { aim: c, covered, needM, offM };
    }
    if (best === undefined) return undefined;
    const disc = Math.min(maxDisc, Math.max(MIN_DISC_M, best.needM));
    return { aim: best.aim, altitudeM: this.altitudeForDisc(disc) };
  }

  private clearOfPersons(at: { x: number; y: number }, persons: readonly Target[]): boolean {
    for (const s of this.cfg.standoff ?? []) {
      for (const p of persons) {
        if (p.className !== s.className) continue;
        // 10 m beyond the guard's limit: a walking person must not wander into it during the burst.
        if (Math.hypot(p.positionM.x - at.x, p.positionM.y - at.y) <= s.noPayloadM + 10) return false;
      }
    }
    return true;
  }

  private personsOf(targets: readonly Target[]): Target[] {
    const classes = new Set((this.cfg.standoff ?? []).map((s) => s.className));
    return targets.filter((t) => classes.has(t.className));
  }

  private canSuppress(): boolean {
    return this.whyNoSuppress() === undefined;
  }

  private whyNoSuppress(): string | undefined {
    if (this.cfg.onFire !== 'suppress') return 'mission says report';
    if (this.payloadPolicy === 'off') return 'payload off';
    if (this.releaseFloorM() === undefined) return 'payload cannot reach the ground above the altitude floor';
    if (this.waterLeftL < this.burstL(MIN_BURST_S)) return 'out of water';
    return undefined;
  }

  /**
   * The lowest release altitude: the guard's floor plus 1 m. Water lands on
   * a disc of radius √(range² − z²) under the nozzle (the simulator's water,
   * like a real spray, reaches the ground only within the payload's 3D
   * range), so the lower, the wider. Undefined when the payload cannot reach
   * the ground from above the floor.
   */
  private releaseFloorM(): number | undefined {
    const range = this.cfg.payloadRangeM;
    if (range === undefined) return undefined;
    const floor = Math.max(0, this.cfg.minAltitudeM ?? 0) + 1;
    return floor < range - 1 ? floor : undefined;
  }

  /**
   * Walks the water onto what still burns: during a burst, the centre of the
   * hot spots seen in reach in the last KNOCKDOWN_MS, when it has moved more
   * than WALK_MIN_M from the aim (and is clear of persons). A fire wider than
   * the disc is put out where the water lands; without this the burst went on
   * pouring on the part already out while the flames the camera still saw at
   * the disc's edge burned on (seed 11: the tank ran dry with the fire
   * burning, 2026-11).
   */
  private walkAim(
    fire: Incident,
    p: { x: number; y: number; z: number },
    aim: XY,
    now: number,
    persons: readonly Target[],
  ): XY | undefined {
    const spots = this.hotSpotsInReach(fire, p, now - KNOCKDOWN_MS);
    if (spots.length === 0) return undefined;
    const centre: XY = [
      spots.reduce((a, m) => a + m.positionM.x, 0) / spots.length,
      spots.reduce((a, m) => a + m.positionM.y, 0) / spots.length,
    ];
    if (Math.hypot(centre[0] - aim[0], centre[1] - aim[1]) < WALK_MIN_M) return undefined;
    return this.clearOfPersons({ x: centre[0], y: centre[1] }, persons) ? centre : undefined;
  }

  /** Radius of the water disc under a vehicle at height `z`, m: 0 once the water no longer reaches the ground. */
  private discAtM(z: number): number {
    const range = this.cfg.payloadRangeM ?? 0;
    const h = Math.max(0, z);
    return h < range ? Math.sqrt(range * range - h * h) : 0;
  }

  /** Radius of the widest water disc (released from the floor), m. */
  private maxDiscM(): number | undefined {
    const floor = this.releaseFloorM();
    return floor === undefined ? undefined : this.discAtM(floor);
  }

  /** Release altitude whose water disc has radius `discM` even VERTICAL_MARGIN_M higher, m (never below the floor). */
  private altitudeForDisc(discM: number): number {
    const range = this.cfg.payloadRangeM ?? 0;
    const floor = this.releaseFloorM() ?? 0;
    const alt = Math.sqrt(Math.max(0, range * range - discM * discM)) - VERTICAL_MARGIN_M;
    return Math.round(Math.min(range - 1, Math.max(floor, alt)) * 10) / 10;
  }

  /** Over the aim point (within AIM_TOLERANCE_M) at the release altitude (0.5 m above to 1 m below it). */
  private inReach(p: { x: number; y: number; z: number }, aim: XY, low: number): boolean {
    const horizontal = distanceXY(p, aim);
    return horizontal <= Math.min(this.cfg.suppressRangeM, AIM_TOLERANCE_M) && p.z - low <= 0.5 && low - p.z <= 1;
  }

  /** Landed (see LandingDetector): the estimated height has stopped falling in a land phase. */
  private onGround(pose: PoseEstimate, now: number): boolean {
    return this.landing.update(pose.positionM.z, now);
  }

  private burstL(durationS = this.cfg.suppressS): number {
    return this.flowLps() * durationS;
  }

  private formatWater(): string {
    const left = this.waterLeftL;
    return Number.isFinite(left) ? `${left.toFixed(0)} L` : 'water';
  }

  private abandonActive(why: string, events: RuntimeEvent[]): void {
    const fire = this.active;
    if (fire === undefined) return;
    fire.state = fire.bursts > 0 ? 'burning' : 'skipped';
    events.push({
      kind: 'behavior.fire_abandoned',
      severity: 'warning',
      message: `${fire.id} left: ${why}`,
      data: { fire: fire.id },
    });
    this.active = undefined;
    this.aim = undefined;
  }

  private skipActive(why: string, events: RuntimeEvent[]): void {
    const fire = this.active;
    if (fire !== undefined) {
      fire.state = fire.bursts > 0 ? 'burning' : 'skipped';
      events.push({
        kind: 'behavior.fire_skipped',
        severity: 'warning',
        message: `${fire.id} skipped: ${why}`,
        data: { fire: fire.id, reason: why },
      });
    }
    this.active = undefined;
    this.aim = undefined;
    this.phase = 'search';
    this.gotoDenials = 0;
  }

  private resumeSearch(): Action | undefined {
    this.active = undefined;
    this.aim = undefined;
    this.releaseAltM = undefined;
    this.phase = 'search';
    this.gotoDenials = 0;
    if (!this.dryAnnounced && !this.canRefill() && this.waterLeftL < this.burstL(MIN_BURST_S)) {
      this.dryAnnounced = true;
      this.pendingEvents.push({
        kind: 'behavior.payload_empty',
        severity: 'warning',
        message: 'payload empty: fires found from now on are reported only',
      });
    }
    return undefined;
  }

  /** Dry, refillable, and something left to use water on: a fire waiting for it, or lanes not yet swept. */
  private refillDue(): boolean {
    if (!this.canRefill() || this.waterLeftL >= this.burstL(MIN_BURST_S)) return false;
    if (this.cfg.onFire !== 'suppress' || this.payloadPolicy === 'off' || this.releaseFloorM() === undefined)
      return false;
    const p = this.route.progress;
    return this.awaitingFires().length > 0 || p.index < p.total;
  }

  /** The payload can be refilled and the guard has not barred the way to the refill point. */
  private canRefill(): boolean {
    return this.tank !== undefined && !this.refillBlocked;
  }

  private canRefillFor(fire: Incident): boolean {
    return this.canRefill() && fire.refills < (this.cfg.maxRefillsPerFire ?? DEFAULT_MAX_REFILLS_PER_FIRE);
  }

  private awaitingFires(): Incident[] {
    return this.incidents.filter((i) => i.awaitingWater && i.state === 'new');
  }

  private refillPoint(): XY {
    return this.cfg.refill?.at ?? this.home ?? [0, 0];
  }

  private startRefill(events: RuntimeEvent[]): void {
    const waiting = this.awaitingFires().map((i) => i.id);
    const why = waiting.length > 0 ? `${waiting.join(', ')} still burning` : 'search left to do';
    const [x, y] = this.refillPoint();
    events.push({
      kind: 'behavior.refill_needed',
      severity: 'warning',
      message: `out of water (${this.formatWater()} left), ${why}: returning to base (${x.toFixed(0)}, ${y.toFixed(0)}) to refill`,
      data: { fires: waiting, waterLeftL: this.waterLeftL, x, y },
    });
    this.phase = 'refill_transit';
    this.gotoDenials = 0;
  }

  /** To the refill point, down onto it, and on the pad until the tank is full; then take off again. */
  private refillStep(
    phase: 'refill_transit' | 'refill_land' | 'refilling',
    pose: PoseEstimate,
    now: number,
    events: RuntimeEvent[],
  ): Action | undefined {
    const tank = this.tank;
    const capacity = this.cfg.payloadCapacityL;
    if (tank === undefined || capacity === undefined) return this.resumeSearch();
    const at = this.refillPoint();
    switch (phase) {
      case 'refill_transit':
        if (this.gotoDenials >= GOTO_DENIALS_BEFORE_SKIP) {
          // Fence or no-go zone over the refill point: carry on dry, as without a refill point.
          this.refillBlocked = true;
          this.giveUpAwaiting('the guard denies the way to the refill point', events);
          return this.resumeSearch();
        }
        if (distanceXY(pose.positionM, at) <= 3) {
          this.phase = 'refill_land';
          this.landing.reset();
          return { kind: 'land' };
        }
        return gotoLocal(at[0], at[1], this.altitudeM, this.speedMps);
      case 'refill_land':
        if (this.onGround(pose, now)) {
          this.phase = 'refilling';
          tank.begin(now, this.waterLeftL);
          events.push({
            kind: 'behavior.refill_started',
            severity: 'info',
            message: `landed at base: refilling (${this.formatWater()}/${capacity.toFixed(0)} L)`,
            data: { waterLeftL: this.waterLeftL, capacityL: capacity },
          });
        }
        return { kind: 'land' };
      case 'refilling': {
        // Keep the books with the pump: the tank is as full as the fill rate says by now.
        this.waterUsedL = capacity - tank.levelL(now);
        const mark = tank.progress(now);
        if (mark !== undefined) {
          events.push({
            kind: 'behavior.refill_progress',
            severity: 'info',
            message: `refilling at base: ${mark.toFixed(0)}/${capacity.toFixed(0)} L`,
            data: { waterL: mark, capacityL: capacity },
          });
        }
        if (!tank.full(now)) return { kind: 'land' };
        this.waterUsedL = 0;
        this.refillCount++;
        this.dryAnnounced = false;
        this.launchXY = undefined;
        this.phase = 'takeoff';
        const next = this.awaitingFires().map((i) => i.id);
        events.push({
          kind: 'behavior.refilled',
          severity: 'info',
          message: `refilled at base: ${capacity.toFixed(0)}/${capacity.toFixed(0)} L (refill ${String(this.refillCount)}); ${next.length > 0 ? `back to ${next.join(', ')}` : 'resuming the sweep'}`,
          data: { refills: this.refillCount, fires: next },
        });
        return gotoLocal(pose.positionM.x, pose.positionM.y, this.altitudeM);
      }
    }
  }

  /** Takes up a fire left for want of water: fly back over it and look before aiming. */
  private returnToFire(fire: Incident, events: RuntimeEvent[]): void {
    fire.state = 'active';
    fire.awaitingWater = false;
    fire.burstBase = fire.bursts;
    this.active = fire;
    this.phase = 'return_to_fire';
    this.gotoDenials = 0;
    events.push({
      kind: 'behavior.fire_resumed',
      severity: 'info',
      message: `back to ${fire.id} at (${fire.x.toFixed(0)}, ${fire.y.toFixed(0)}) with ${this.formatWater()}`,
      data: { fire: fire.id, x: fire.x, y: fire.y, waterLeftL: this.waterLeftL },
    });
  }

  /** Fires waiting for water will not get it: report them still burning. */
  private giveUpAwaiting(why: string, events: RuntimeEvent[]): void {
    for (const fire of this.awaitingFires()) {
      fire.state = 'burning';
      fire.awaitingWater = false;
      events.push({
        kind: 'behavior.fire_not_out',
        severity: 'warning',
        message: `${fire.id} still burning after ${String(fire.bursts)} burst(s) (out of water; ${why}); reported`,
        data: { fire: fire.id, bursts: fire.bursts, waterLeftL: this.waterLeftL, x: fire.x, y: fire.y },
      });
    }
  }

  private goHome(pose: PoseEstimate): Action {
    const home = this.home ?? [0, 0];
    if (distanceXY(pose.positionM, home) <= 3) {
      this.phase = 'land';
      this.landing.reset();
      return { kind: 'land' };
    }
    return gotoLocal(home[0], home[1], this.altitudeM, this.speedMps);
  }

  private frameStamp(): number | undefined {
    const fire = this.active;
    if (fire === undefined) return undefined;
    let newest: number | undefined;
    for (const m of fire.members.values()) if (newest === undefined || m.lastSeenMs > newest) newest = m.lastSeenMs;
    return newest;
  }

  private fireSummary(): string {
    const n = (s: IncidentState): number => this.incidents.filter((i) => i.state === s).length;
    return `${String(this.incidents.length)} fire(s): ${String(n('out'))} out, ${String(n('burning'))} still burning, ${String(n('reported') + n('skipped'))} not suppressed`;
  }

  private phaseLabel(): string {
    const fire = this.active?.id;
    switch (this.phase) {
      case 'search': {
        const p = this.route.progress;
        return `search ${String(p.index)}/${String(p.total)}`;
      }
      case 'transit':
      case 'descend':
      case 'await_confirm':
      case 'suppress':
      case 'climb':
      case 'confirm':
      case 'return_to_fire':
        return `${this.phase} ${fire ?? ''}`.trim();
      case 'refill_transit':
        return 'refill: to base';
      case 'refill_land':
        return 'refill: landing';
      case 'refilling':
        return 'refilling at base';
      default:
        return this.phase;
    }
  }
}

/** Distance from (x, y) to a polygon, m: 0 inside. */
function distanceOutside(polygon: readonly XY[], x: number, y: number): number {
  let inside = false;
  let best = Infinity;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i] as XY;
    const [xj, yj] = polygon[j] as XY;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    const dx = xj - xi;
    const dy = yj - yi;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - xi) * dx + (y - yi) * dy) / len2));
    best = Math.min(best, Math.hypot(x - (xi + t * dx), y - (yi + t * dy)));
  }
  return inside ? 0 : best;
}
