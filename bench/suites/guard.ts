/**
 * Guard benchmark: decisions per second and per-decision latency for a guard
 * with 10 rules, a 200-vertex concave fence and 20 keep-out zones, over
 * velocity commands (straight and turning) from positions across the fence.
 * Reference: a bare point-in-polygon loop over the same geometry in the same
 * run (textbook PNPOLY over plain arrays, the fence plus every zone, one test
 * each): the least work a naive geometric guard does per decision, with no
 * path prediction, no rules and no decision value. The prepared polygons'
 * own containment rate is reported beside it.
 */
import { createGuard, PreparedPolygon } from '../../control/index.js';
import type { GuardProposal, GuardState } from '../../control/index.js';
import type { Guardrails, LocalPoint } from '../../missions/index.js';
import { yawToQuaternion } from '../../runtime/index.js';
import type { Action, PoseEstimate, Target } from '../../runtime/index.js';
import { assertWork, entry, gc, heapUsedBytes, median, percentile } from '../harness.js';
import type { BenchContext, BenchEntry } from '../harness.js';

const SUITE = 'guard';
const FENCE_VERTICES = 200;
const ZONES = 20;
const RULES = 10;
/** Distinct (proposal, state) inputs, cycled through. */
const INPUTS = 4096;
/** Decisions per throughput sample. */
const THROUGHPUT_DECISIONS = 200_000;
/** Decisions timed one by one per latency sample. */
const LATENCY_DECISIONS = 50_000;
/** Decisions per allocation sample: small enough that no scavenge runs inside it. */
const ALLOC_DECISIONS = 2_000;
const NOW_MS = Date.UTC(2026, 0, 1);

const TARGET_DECISIONS_S = 100_000;
const TARGET_P99_US = 50;
const REFERENCE = 'bare PNPOLY loop, fence + 20 zones, same run';

/** mulberry32: a seeded generator, so every run judges the same inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function star(cx: number, cy: number, n: number, rMin: number, rMax: number, rand: () => number): LocalPoint[] {
  const out: LocalPoint[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const r = rMin + (rMax - rMin) * rand();
    out.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return out;
}

function pose(x: number, y: number, z: number, yawRad: number): PoseEstimate {
  return {
    frameId: 'map',
    positionM: { x, y, z },
    orientation: yawToQuaternion(yawRad),
    yawRad,
    poseCovariance: new Array<number>(36).fill(0),
    linearVelocityMps: { x: 0, y: 0, z: 0 },
    yawRateRps: 0,
    source: 'bench',
  };
}

interface Rig {
  readonly guardrails: Guardrails;
  /** The same polygons as flat [x0, y0, x1, y1, ...] arrays, for the bare reference loop. */
  readonly flat: readonly Float64Array[];
  readonly fence: PreparedPolygon;
  readonly zones: readonly PreparedPolygon[];
  readonly inputs: readonly { proposal: GuardProposal; state: GuardState }[];
}

function buildRig(): Rig {
  const rand = rng(7);
  const fencePoints = star(0, 0, FENCE_VERTICES, 400, 500, rand);
  const zonePoints: LocalPoint[][] = [];
  for (let i = 0; i < ZONES; i++) {
    const a = (2 * Math.PI * i) / ZONES;
    const r = 120 + 200 * rand();
    zonePoints.push(star(r * Math.cos(a), r * Math.sin(a), 8, 10, 25, rand));
  }
  const guardrails: Guardrails = {
    geofence: [fencePoints],
    noGo: zonePoints.map((polygon, i) => ({ name: `zone-${i}`, polygon })),
    horizonS: 3,
    altitude: { minM: 10, maxM: 80 },
    speed: { maxLinearMps: 12, maxVerticalMps: 3, maxYawRateDps: 60 },
    standoff: [{ class: 'person', stopM: 30, slowM: 50, noPayloadM: 50 }],
    battery: { returnHomePct: 30, landPct: 15 },
    staleSensor: { afterMs: 2000, action: 'hold' },
    requireConfirmation: [],
  };
  const fence = new PreparedPolygon(fencePoints);
  const zones = zonePoints.map((z) => new PreparedPolygon(z));
  const targets: Target[] = [];
  for (let i = 0; i < 5; i++) {
    targets.push({
      id: `person-${i}`,
      className: 'person',
      positionM: { x: -350 + 150 * i, y: 250 * (rand() - 0.5), z: 0 },
      varianceM2: { x: 1, y: 1 },
      confidence: 0.9,
      lastSeenMs: NOW_MS,
    });
  }
  const battery = { frameId: 'battery', percent: 80, voltageV: 22.2, currentA: 12 };
  const inputs: { proposal: GuardProposal; state: GuardState }[] = [];
  while (inputs.length < INPUTS) {
    const x = 900 * (rand() - 0.5);
    const y = 900 * (rand() - 0.5);
    if (!fence.contains(x, y) || zones.some((z) => z.contains(x, y))) continue;
    const turning = rand() < 0.3;
    const action: Action = {
      kind: 'velocity',
      linearMps: { x: 20 * (rand() - 0.3), y: 6 * (rand() - 0.5), z: 2 * (rand() - 0.5) },
      yawRateRps: turning ? 1.5 * (rand() - 0.5) : 0,
    };
    inputs.push({
      proposal: { id: `b-${inputs.length}`, source: 'behavior/bench', action, proposedAtMs: NOW_MS },
      state: {
        pose: pose(x, y, 40, 2 * Math.PI * rand()),
        poseStampMs: NOW_MS - 20,
        battery,
        batteryStampMs: NOW_MS - 200,
        targets,
      },
    });
  }
  const flat = [fencePoints, ...zonePoints].map((ring) => Float64Array.from(ring.flat()));
  return { guardrails, flat, fence, zones, inputs };
}

/** Textbook crossing-number test (W. R. Franklin's PNPOLY) over a flat ring. */
function pnpoly(ring: Float64Array, x: number, y: number): boolean {
  let inside = false;
  const n = ring.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = ring[2 * i]!;
    const yi = ring[2 * i + 1]!;
    const xj = ring[2 * j]!;
    const yj = ring[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The reference: what a naive guard that only asked "in the fence and out of the zones?" costs. */
function bareLoop(rig: Rig, count: number): number {
  let inside = 0;
  const n = rig.inputs.length;
  const [fence, ...zones] = rig.flat;
  for (let i = 0; i < count; i++) {
    const p = rig.inputs[i % n]!.state.pose!;
    let ok = pnpoly(fence!, p.positionM.x, p.positionM.y);
    for (const z of zones) ok = ok && !pnpoly(z, p.positionM.x, p.positionM.y);
    if (ok) inside++;
  }
  return inside;
}

/** The same question through the prepared polygons the guard uses. */
function pipLoop(rig: Rig, count: number): number {
  let inside = 0;
  const n = rig.inputs.length;
  for (let i = 0; i < count; i++) {
    const p = (rig.inputs[i % n] as { state: GuardState }).state.pose as PoseEstimate;
    let ok = rig.fence.contains(p.positionM.x, p.positionM.y);
    for (const z of rig.zones) ok = ok && !z.contains(p.positionM.x, p.positionM.y);
    if (ok) inside++;
  }
  return inside;
}

export async function guardSuite(ctx: BenchContext): Promise<BenchEntry[]> {
  const repeats = Math.max(5, ctx.repeats);
  const rig = buildRig();
  const guard = createGuard({ guardrails: rig.guardrails, ignoreRegistered: true });
  assertWork('guard rules', guard.rules.length, RULES);
  const n = rig.inputs.length;
  const decide = (i: number): string => {
    const input = rig.inputs[i % n] as { proposal: GuardProposal; state: GuardState };
    return guard.decide(input.proposal, input.state, NOW_MS).verdict;
  };

  // Warm up both paths so the JIT has settled before anything is timed.
  for (let i = 0; i < 20_000; i++) decide(i);
  pipLoop(rig, 20_000);
  bareLoop(rig, 20_000);

  const rates: number[] = [];
  const refRates: number[] = [];
  const preparedRates: number[] = [];
  const p50s: number[] = [];
  const p99s: number[] = [];
  const bytes: number[] = [];
  const verdicts = { allow: 0, modify: 0, deny: 0 };
  for (let r = 0; r < repeats; r++) {
    gc();
    let decided = 0;
    let t0 = performance.now();
    for (let i = 0; i < THROUGHPUT_DECISIONS; i++) {
      const v = decide(i);
      if (v === 'allow' || v === 'modify' || v === 'deny') decided++;
    }
    let t1 = performance.now();
    assertWork('decisions', decided, THROUGHPUT_DECISIONS);
    rates.push(THROUGHPUT_DECISIONS / ((t1 - t0) / 1000));

    gc();
    t0 = performance.now();
    const inside = bareLoop(rig, THROUGHPUT_DECISIONS);
    t1 = performance.now();
    assertWork('reference positions inside', inside, THROUGHPUT_DECISIONS);
    refRates.push(THROUGHPUT_DECISIONS / ((t1 - t0) / 1000));

    gc();
    t0 = performance.now();
    const insidePrepared = pipLoop(rig, THROUGHPUT_DECISIONS);
    t1 = performance.now();
    assertWork('prepared positions inside', insidePrepared, THROUGHPUT_DECISIONS);
    preparedRates.push(THROUGHPUT_DECISIONS / ((t1 - t0) / 1000));

    gc();
    const lat = new Float64Array(LATENCY_DECISIONS);
    for (let i = 0; i < LATENCY_DECISIONS; i++) {
      const s = process.hrtime.bigint();
      const v = decide(i);
      lat[i] = Number(process.hrtime.bigint() - s) / 1000;
      verdicts[v as keyof typeof verdicts]++;
    }
    const sorted = Array.from(lat).sort((a, b) => a - b);
    p50s.push(percentile(sorted, 50));
    p99s.push(percentile(sorted, 99));

    gc();
    const before = heapUsedBytes();
    for (let i = 0; i < ALLOC_DECISIONS; i++) decide(i);
    bytes.push((heapUsedBytes() - before) / ALLOC_DECISIONS);
    await Promise.resolve();
  }
  // Every kind of verdict must have occurred, or the inputs did not exercise the rules.
  for (const [v, count] of Object.entries(verdicts))
    if (count === 0) throw new Error(`benchmark inputs never produced "${v}"`);

  const rate = median(rates);
  const refRate = median(refRates);
  return [
    entry({
      suite: SUITE,
      metric: `decisions/s (${RULES} rules, ${FENCE_VERTICES}-vertex fence, ${ZONES} zones)`,
      value: rate,
      unit: 'decisions/s',
      reference: { name: REFERENCE, value: refRate },
      target: { op: '>=', value: TARGET_DECISIONS_S },
    }),
    entry({
      suite: SUITE,
      metric: 'decision latency p99',
      value: median(p99s),
      unit: 'µs',
      target: { op: '<', value: TARGET_P99_US },
    }),
    entry({ suite: SUITE, metric: 'decision latency p50', value: median(p50s), unit: 'µs' }),
    entry({
      suite: SUITE,
      metric: 'reference: bare PNPOLY positions/s (fence + 20 zones)',
      value: refRate,
      unit: 'positions/s',
    }),
    entry({
      suite: SUITE,
      metric: 'prepared polygons positions/s (fence + 20 zones)',
      value: median(preparedRates),
      unit: 'positions/s',
      reference: { name: REFERENCE, value: refRate },
    }),
    entry({ suite: SUITE, metric: 'heap allocated per decision', value: median(bytes), unit: 'bytes' }),
    entry({
      suite: SUITE,
      metric: 'share of decisions that modified or denied',
      value: (100 * (verdicts.modify + verdicts.deny)) / (verdicts.allow + verdicts.modify + verdicts.deny),
      unit: '%',
    }),
  ];
}
