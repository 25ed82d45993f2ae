/**
 * Refill at base: a tank that runs dry with a fire still burning sends the
 * drone home to land and refill, then back to that fire first.
 *
 * The closed-loop test flies AreaSearch against the real simulator: pose
 * from the true vehicle, fire targets from the true burning cells the
 * camera's footprint covers (a perfect detector and world model, the way
 * fusion keeps a target with its last sighting), and every proposal approved
 * (no guard rule would deny one here). The water, the tank and the refill
 * are the simulator's.
 */
import { describe, expect, it } from 'vitest';
import { AreaSearch, type AreaSearchConfig } from '../../../missions/behaviors/area-search.js';
import { areaSearchConfig } from '../../../missions/behaviors/plugin.js';
import { missionSchema, type Platform } from '../../../missions/index.js';
import {
  yawToQuaternion,
  type Action,
  type Decision,
  type PoseEstimate,
  type RuntimeEvent,
  type Target,
} from '../../../runtime/index.js';
import { SimWorld, parseScenario } from '../../../sim/index.js';
import { drone, FUEL_SQUARE, scenario } from '../../sim/fixtures.js';

const HOME = { x: 10, y: 10 } as const;
const FIRE_A = [52.5, 62.5] as const;
const FIRE_B = [82.5, 62.5] as const;

/** 10 L of water, refilled at home at 4 L/s: one fully burning cell takes 8 L. */
const tanker: Platform = {
  ...drone,
  kind: 'multirotor',
  maxClimbMps: 3,
  maxYawRateDps: 90,
  maxAccelMps2: 4,
  payload: { kind: 'water', capacity: 10, rangeM: 15, refill: { at: 'home', rateLps: 4, radiusM: 5 } },
};

/**
 * Two burning cells 30 m apart: one fire (within the merge distance), but no
 * water disc from above the 5 m floor covers both, so each takes its own
 * burst and the 10 L tank puts out only the first. Neither spreads, and both
 * burn far longer than the flight.
 */
function twoCellWorld(): SimWorld {
  const sc = parseScenario(
    scenario({
      fire: {
        cellM: 5,
        fuel: [FUEL_SQUARE],
        ignitions: [
          { at: [...FIRE_A], atS: 0 },
          { at: [...FIRE_B], atS: 0 },
        ],
        spreadPerS: 0,
        burnTimeS: 5000,
      },
    }),
  );
  return new SimWorld({ scenario: sc, platform: tanker, seed: 1 });
}

const cfg: AreaSearchConfig = {
  area: [
    [0, 0],
    [100, 0],
    [100, 80],
    [0, 80],
  ],
  laneSpacingM: 40,
  altitudeM: 30,
  speedMps: 8,
  onFire: 'suppress',
  suppressRangeM: 15,
  returnHomePct: 30,
  suppressS: 5,
  payloadRangeM: 15,
  payloadCapacityL: 10,
  minAltitudeM: 5,
  confirmS: 2,
  standoff: [],
  refill: { rateLps: 4 },
};

function truePose(w: SimWorld): PoseEstimate {
  const s = w.vehicle.state;
  return {
    frameId: 'map',
    positionM: { x: s.x, y: s.y, z: s.z },
    orientation: yawToQuaternion(s.yawRad),
    yawRad: s.yawRad,
    poseCovariance: new Array<number>(36).fill(0),
    linearVelocityMps: { x: s.vx, y: s.vy, z: s.vz },
    yawRateRps: s.yawRateRps,
    source: 'truth',
  };
}

interface Flight {
  readonly events: (RuntimeEvent & { readonly atMs: number })[];
  /** Phase, true tank level and true position at each behavior tick. */
  readonly ticks: {
    atMs: number;
    phase: string;
    left: number;
    landed: boolean;
    x: number;
    y: number;
    payloadOn: boolean;
    /** True burning cells, centres. */
    burning: readonly (readonly [number, number])[];
  }[];
  readonly world: SimWorld;
  readonly behavior: AreaSearch;
}

/** Flies `b` in `w` for up to `limitS`: behavior at 5 Hz, physics at 100 Hz, every proposal approved. */
function fly(w: SimWorld, b: AreaSearch, limitS: number): Flight {
  const events: Flight['events'] = [];
  const ticks: Flight['ticks'] = [];
  const seen = new Map<string, Target>();
  let decisions: Decision[] = [];
  let lastKey = '';
  while (w.timeMs < limitS * 1000) {
    const now = w.timeMs;
    const s = w.vehicle.state;
    // The down camera sees about as far out as it flies high (90° field of view); nothing from the ground.
    const footprint = Math.max(10, s.z);
    if (s.z > 3) {
      for (const c of w.truth().fires.cells) {
        if (Math.hypot(c.x - s.x, c.y - s.y) > footprint) continue;
        const id = `cell-${String(c.x)}-${String(c.y)}`;
        seen.set(id, {
          id,
          className: 'fire',
          positionM: { x: c.x, y: c.y, z: 0 },
          varianceM2: { x: 1, y: 1 },
          confidence: 0.9,
          lastSeenMs: now,
        });
      }
    }
    const out = b.step({
      nowMs: now,
      pose: truePose(w),
      batteryPct: w.vehicle.battery.percent,
      targets: [...seen.values()],
      decisions,
    });
    decisions = [];
    for (const e of out.events ?? []) events.push({ ...e, atMs: now });
    const action: Action | undefined = out.action;
    const key = JSON.stringify(action);
    if (action !== undefined && key !== lastKey) {
      w.apply(action);
      decisions.push({
        proposalId: `p${String(now)}`,
        source: 'behavior/area_search',
        verdict: 'allow',
        action,
        requested: action,
        ruleId: 'test',
        code: 'ok',
        reason: 'ok',
        decidedAtMs: now,
      });
    }
    lastKey = key;
    ticks.push({
      atMs: now,
      phase: out.phase,
      left: w.vehicle.payload.left,
      landed: s.landed,
      x: s.x,
      y: s.y,
      payloadOn: w.vehicle.payload.on,
      burning: w.truth().fires.cells.map((c) => [c.x, c.y] as const),
    });
    if (out.phase === 'done') break;
    for (let i = 0; i < 20; i++) w.step(10);
  }
  return { events, ticks, world: w, behavior: b };
}

const kinds = (f: Flight): string[] => f.events.map((e) => e.kind);
const firstAt = (f: Flight, kind: string): number => f.events.find((e) => e.kind === kind)?.atMs ?? NaN;

describe('AreaSearch refill at base (closed loop on the simulator)', () => {
  const flight = fly(twoCellWorld(), new AreaSearch({ ...cfg, home: [HOME.x, HOME.y] }), 600);

  it('runs dry on a fire still burning, lands at base, and the real tank is refilled', () => {
    const k = kinds(flight);
    expect(k).toContain('behavior.refill_needed');
    const needed = flight.events.find((e) => e.kind === 'behavior.refill_needed');
    expect(needed?.message).toMatch(/fire#1 still burning: returning to base/);
    // On the pad: landed near home while the tank fills, then full before it takes off.
    const onPad = flight.ticks.filter((t) => t.phase === 'refilling at base');
    expect(onPad.length).toBeGreaterThan(0);
    for (const t of onPad) {
      expect(t.landed).toBe(true);
      expect(Math.hypot(t.x - HOME.x, t.y - HOME.y)).toBeLessThan(5);
    }
    // The simulator's tank fills from touchdown (the behavior's landed check follows a few seconds later).
    const landedAtHome = flight.ticks.filter((t) => t.landed && Math.hypot(t.x - HOME.x, t.y - HOME.y) < 5);
    expect(Math.min(...landedAtHome.map((t) => t.left))).toBeLessThan(5);
    const refilledAt = firstAt(flight, 'behavior.refilled');
    const atTakeoff = flight.ticks.find((t) => t.atMs === refilledAt);
    expect(atTakeoff?.left).toBe(10);
    expect(flight.events.find((e) => e.kind === 'behavior.refilled')?.message).toMatch(
      /refilled at base: 10\/10 L \(refill 1\); back to fire#1/,
    );
  });

  it('reports the fill as it goes, from the level it landed with', () => {
    const started = flight.events.find((e) => e.kind === 'behavior.refill_started');
    expect(started?.message).toMatch(/^landed at base: refilling \(\d+ L\/10 L\)$/);
    expect(firstAt(flight, 'behavior.refill_started')).toBeLessThan(firstAt(flight, 'behavior.refilled'));
  });

  it('goes back to the fire it left before anything else, and puts it out with the new water', () => {
    const refilledAt = firstAt(flight, 'behavior.refilled');
    const resumed = flight.events.find((e) => e.kind === 'behavior.fire_resumed');
    expect(resumed?.message).toMatch(/^back to fire#1/);
    expect(resumed?.atMs).toBeGreaterThan(refilledAt);
    // Water released after the refill lands on the cell still burning when the tank ran dry.
    const dryAt = firstAt(flight, 'behavior.refill_needed');
    const left = flight.ticks.find((t) => t.atMs === dryAt)?.burning ?? [];
    expect(left).toHaveLength(1);
    const [cell] = left;
    const sprayAfter = flight.ticks.filter((t) => t.atMs > refilledAt && t.payloadOn);
    expect(sprayAfter.length).toBeGreaterThan(0);
    for (const t of sprayAfter) expect(Math.hypot(t.x - (cell?.[0] ?? NaN), t.y - (cell?.[1] ?? NaN))).toBeLessThan(10);
    const fires = flight.behavior.fires();
    expect(fires).toHaveLength(1);
    expect(fires[0]?.state).toBe('out');
    expect(fires[0]?.refills).toBe(1);
    expect(flight.world.truth().fires.burning).toBe(0);
    expect(flight.world.truth().fires.extinguished).toBe(2);
  });

  it('dry again with lanes left, it refills once more, then finishes the sweep, returns home and lands', () => {
    const refilled = flight.events.filter((e) => e.kind === 'behavior.refilled');
    expect(refilled.map((e) => e.message.replace(/^.*; /, ''))).toEqual(['back to fire#1', 'resuming the sweep']);
    expect(flight.events.filter((e) => e.kind === 'behavior.refill_needed')[1]?.message).toMatch(/search left to do/);
    expect(flight.behavior.refills).toBe(2);
    expect(flight.world.vehicle.payload.refills).toBe(2);
    const done = flight.events.find((e) => e.kind === 'behavior.done');
    expect(done?.data?.['refills']).toBe(2);
    expect(flight.ticks.at(-1)?.phase).toBe('done');
    expect(firstAt(flight, 'behavior.search_done')).toBeGreaterThan(firstAt(flight, 'behavior.fire_out'));
  });

  it('without a refill option the old behavior stays: the fire is reported still burning (out of water)', () => {
    const { refill: _r, ...noRefill } = cfg;
    const plain: Platform = { ...tanker, payload: { kind: 'water', capacity: 10, rangeM: 15 } };
    const w = new SimWorld({ scenario: twoCellWorld().scenario, platform: plain, seed: 1 });
    const f = fly(w, new AreaSearch({ ...noRefill, home: [HOME.x, HOME.y] }), 600);
    const k = kinds(f);
    expect(k).not.toContain('behavior.refill_needed');
    expect(f.events.find((e) => e.kind === 'behavior.fire_not_out')?.message).toMatch(/\(out of water\)/);
    expect(k).toContain('behavior.payload_empty');
    expect(f.behavior.fires()[0]?.state).toBe('burning');
    expect(f.world.truth().fires.burning).toBe(1);
  });
});

describe('AreaSearch refill (stepped)', () => {
  it('a tank too low for a useful burst, with lanes left to sweep, sends it to refill first', () => {
    const b = new AreaSearch({ ...cfg, payloadCapacityL: 3, home: [0, 0] });
    const pose = (x: number, y: number, z: number): PoseEstimate => ({
      ...truePose(twoCellWorld()),
      positionM: { x, y, z },
      linearVelocityMps: { x: 0, y: 0, z: 0 },
    });
    b.step({ nowMs: 0, pose: pose(40, 40, 30), targets: [] });
    // 3 L is less than a useful burst: the tank is dry from the start, and there are lanes to sweep.
    const out = b.step({ nowMs: 200, pose: pose(40, 40, 30), targets: [] });
    expect(out.phase).toBe('refill: to base');
    expect(out.action).toEqual({ kind: 'goto', target: { frame: 'local', x: 0, y: 0 }, altitudeM: 30, speedMps: 8 });
    expect(out.events?.find((e) => e.kind === 'behavior.refill_needed')?.message).toMatch(/search left to do/);
  });

  it('the battery reaching the reserve on the pad ends the refill: it lands for good', () => {
    const b = new AreaSearch({ ...cfg, payloadCapacityL: 3, home: [0, 0] });
    const at = (z: number, vz = 0): PoseEstimate => ({
      ...truePose(twoCellWorld()),
      positionM: { x: 0, y: 0, z },
      linearVelocityMps: { x: 0, y: 0, z: vz },
    });
    b.step({ nowMs: 0, pose: at(30), targets: [] });
    let out = b.step({ nowMs: 200, pose: at(30), targets: [] });
    out = b.step({ nowMs: 400, pose: at(30), targets: [] });
    expect(out.phase).toBe('refill: landing');
    expect(out.action).toEqual({ kind: 'land' });
    let t = 400;
    // On the pad: the landing test's 5 s window, then its 2 s confirmation.
    for (let i = 0; i < 40; i++) out = b.step({ nowMs: (t += 200), pose: at(0.1), targets: [] });
    expect(out.phase).toBe('refilling at base');
    out = b.step({ nowMs: (t += 200), pose: at(0.1), targets: [], batteryPct: 25 });
    expect(out.events?.map((e) => e.kind)).toContain('behavior.return_home');
    expect(out.action).toEqual({ kind: 'land' });
  });
});

describe('areaSearchConfig: the refill comes from the mission', () => {
  const base = {
    apiVersion: 'kestrel/v1',
    mission: { id: 'refill-test', version: '1.0.0' },
    guardrails: {},
    behavior: {
      kind: 'area_search',
      area: [
        [0, 0],
        [100, 0],
        [100, 80],
      ],
      laneSpacingM: 40,
      speedMps: 8,
      onFire: 'suppress',
    },
  };
  const platform = (payload: unknown): unknown => ({
    kind: 'multirotor',
    id: 'tanker-1',
    maxSpeedMps: 10,
    payload,
  });

  it('payload.refill defaults to home at 4 L/s within 8 m, and reaches the behavior', () => {
    const m = missionSchema.parse({
      ...base,
      platform: platform({ kind: 'water', capacity: 40, rangeM: 25, refill: {} }),
    });
    expect(m.platform.kind === 'multirotor' ? m.platform.payload?.refill : undefined).toEqual({
      at: 'home',
      rateLps: 4,
      radiusM: 8,
    });
    if (m.behavior.kind !== 'area_search') throw new Error('area_search expected');
    expect(areaSearchConfig(m.behavior, m).refill).toEqual({ rateLps: 4 });
  });

  it('a local refill point is carried; no refill block means no refill', () => {
    const m = missionSchema.parse({
      ...base,
      platform: platform({ kind: 'water', capacity: 40, rangeM: 25, refill: { at: [50, -5], rateLps: 2 } }),
    });
    if (m.behavior.kind !== 'area_search') throw new Error('area_search expected');
    expect(areaSearchConfig(m.behavior, m).refill).toEqual({ rateLps: 2, at: [50, -5] });
    const plain = missionSchema.parse({ ...base, platform: platform({ kind: 'water', capacity: 40, rangeM: 25 }) });
    if (plain.behavior.kind !== 'area_search') throw new Error('area_search expected');
    expect(areaSearchConfig(plain.behavior, plain).refill).toBeUndefined();
  });

  it('rejects a refill rate that is not positive and an unknown refill key', () => {
    for (const refill of [{ rateLps: 0 }, { at: 'base' }, { rateLps: 4, hose: true }]) {
      const r = missionSchema.safeParse({
        ...base,
        platform: platform({ kind: 'water', capacity: 40, rangeM: 25, refill }),
      });
      expect(r.success).toBe(false);
    }
  });
});
