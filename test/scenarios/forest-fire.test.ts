/**
 * The default firefighting mission, end to end, on a SimClock at full speed:
 * perception, fusion, behavior, guard and the simulated airframe all run.
 *
 * CI runs three seeds on the `ci` profile (camera and detector at 2.5 Hz instead of 5).
 * More seeds, or the mission exactly as written:
 *
 *   KESTREL_SCENARIO_SEEDS=1,2,3,4,5,6,7,8 KESTREL_SCENARIO_PROFILE=full npx vitest run test/scenarios
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runForestFire, type ScenarioProfile, type ScenarioResult } from './forest-fire-run.js';

const SEEDS = (process.env['KESTREL_SCENARIO_SEEDS'] ?? '7,11,23').split(',').map(Number);
const PROFILE = (process.env['KESTREL_SCENARIO_PROFILE'] ?? 'ci') as ScenarioProfile;
/** The mission must be done (swept, fires handled, landed) within this much mission time, s. */
const LIMIT_S = 900;
const RUN_TIMEOUT_MS = 600_000;

function inside(polygon: readonly (readonly [number, number])[], x: number, y: number): boolean {
  let hit = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i] as readonly [number, number];
    const [xj, yj] = polygon[j] as readonly [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/** Index of the ignition nearest to (x, y): which fire a position belongs to. */
function nearestIgnition(r: ScenarioResult, x: number, y: number): number {
  let best = -1;
  let bestD = Infinity;
  r.ignitions.forEach((ig, i) => {
    const d = Math.hypot(ig.at[0] - x, ig.at[1] - y);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

function personLimits(r: ScenarioResult): { stopM: number; noPayloadM: number } {
  const s = r.mission.guardrails.standoff.find((x) => x.class === 'person');
  if (s === undefined) throw new Error('the mission keeps no standoff from persons');
  return { stopM: s.stopM, noPayloadM: s.noPayloadM ?? s.stopM };
}

describe.each(SEEDS)(`forest-fire mission, seed %i (${PROFILE} profile)`, (seed) => {
  let r: ScenarioResult;

  beforeAll(async () => {
    r = await runForestFire({ seed, profile: PROFILE, limitS: LIMIT_S });
  }, RUN_TIMEOUT_MS);

  it('completes (swept, returned, landed) within the time limit', () => {
    expect(r.reason).toBe('mission complete');
    expect(r.elapsedS).toBeLessThan(LIMIT_S);
    const last = r.truth.at(-1)?.vehicle;
    expect(last?.landed).toBe(true);
    expect(Math.hypot((last?.positionM.x ?? 99) + 10, (last?.positionM.y ?? 99) + 10)).toBeLessThan(8);
  });

  it('finds every fire, once each', () => {
    const found = r.events.filter((e) => e.kind === 'behavior.fire_found');
    const per = r.ignitions.map(() => 0);
    for (const e of found) {
      const i = nearestIgnition(r, Number(e.data?.['x']), Number(e.data?.['y']));
      per[i] = (per[i] ?? 0) + 1;
    }
    for (const n of per) expect(n).toBeGreaterThanOrEqual(1);
    // One fire, one target: a spreading fire is not chased as a dozen separate ones.
    expect(found.length).toBeLessThanOrEqual(r.ignitions.length + 2);
  });

  it('suppresses every fire: water released within reach of its burning cells', () => {
    const per = r.ignitions.map(() => 0);
    for (const p of r.payloads) {
      if (p.burningInReach === 0) continue;
      const i = nearestIgnition(r, p.vehicle.x, p.vehicle.y);
      per[i] = (per[i] ?? 0) + 1;
    }
    for (const n of per) expect(n).toBeGreaterThanOrEqual(1);
    const wasted = r.payloads.filter((p) => p.burningInReach === 0).length;
    expect(wasted).toBeLessThanOrEqual(Math.floor(r.payloads.length / 2));
  });

  it('puts every fire out with its water: some cells of each put out, none burning at the end', () => {
    for (const ig of r.ignitions) {
      expect(ig.extinguished, `fire lit at (${ig.at.join(', ')})`).toBeGreaterThan(0);
      expect(ig.burning, `fire lit at (${ig.at.join(', ')})`).toBe(0);
    }
    // What the behavior reports matches: every fire it found, it called out.
    const done = r.events.find((e) => e.kind === 'behavior.done');
    const fires = (done?.data?.['fires'] ?? []) as { state: string }[];
    expect(fires.length).toBeGreaterThanOrEqual(r.ignitions.length);
    for (const f of fires) expect(f.state).toBe('out');
  });

  it('never releases the payload with a person within the no-payload distance', () => {
    const { noPayloadM } = personLimits(r);
    expect(r.payloads.length).toBeGreaterThan(0);
    for (const p of r.payloads) expect(p.nearestPersonM).toBeGreaterThan(noPayloadM);
  });

  it('never leaves the geofence', () => {
    const fence = r.mission.guardrails.geofence[0];
    expect(fence).toBeDefined();
    const ring = (fence ?? []).map((p) => (Array.isArray(p) ? ([p[0], p[1]] as const) : ([0, 0] as const)));
    const outside = r.truth.filter((t) => !inside(ring, t.vehicle.positionM.x, t.vehicle.positionM.y));
    expect(outside.length).toBe(0);
    expect(r.truth.length).toBeGreaterThan(1000);
  });

  it('traces frame-to-decision latency through every stage', () => {
    const l = r.latency;
    expect(l?.decisions).toBeGreaterThan(0);
    expect(l?.stages.inference.p50).toBeGreaterThan(0);
    expect(l?.workMs.p99).toBeGreaterThanOrEqual(l?.stages.inference.p50 ?? Infinity);
  });
});

describe('forest-fire mission: low battery', () => {
  let r: ScenarioResult;

  beforeAll(async () => {
    // The reserve raised to 96 %: the battery reaches it a few minutes in, mid-search.
    r = await runForestFire({
      seed: SEEDS[0] ?? 7,
      profile: PROFILE,
      limitS: 400,
      edit: (m) => ({
        ...m,
        guardrails: { ...m.guardrails, battery: { returnHomePct: 96, landPct: 15 } },
      }),
    });
  }, RUN_TIMEOUT_MS);

  it("follows the mission's failsafe: returns home and lands, releasing nothing after", () => {
    const trigger = r.events.find((e) => e.kind === 'failsafe.triggered' && /battery/.test(e.message));
    expect(trigger).toBeDefined();
    expect(r.events.some((e) => e.kind === 'behavior.return_home')).toBe(true);
    expect(r.reason).toBe('mission complete');
    const last = r.truth.at(-1)?.vehicle;
    expect(last?.landed).toBe(true);
    expect(Math.hypot((last?.positionM.x ?? 99) + 10, (last?.positionM.y ?? 99) + 10)).toBeLessThan(8);
    const after = r.payloads.filter((p) => p.atMs > (trigger?.atMs ?? 0));
    expect(after.length).toBe(0);
  });
});
