/**
 * Target localisation on the simulator: flies the firefighting mission
 * (forest-fire scenario, scripted 15 s GNSS outage at 150 s) and scores every
 * localised fire and person against ground truth, binned by camera-to-target
 * range, plus the world model's targets and its phantoms. Two box sources,
 * so geometry and detector error separate:
 *   gt        the simulator's own 2D boxes of each frame (pose + camera model + projection only);
 *   detector  the mission's model (models/kestrel-sim-det.onnx) through the real perception pipeline.
 * Error is the horizontal distance to the nearest true object of the class
 * (a person, or the centre of a burning 5 m fire cell).
 *
 *   npx tsx tools/eval-localisation.ts [--boxes gt|detector|both] [--seconds 300] [--seed 7] [--model <manifest>]
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createRuntime,
  detectionsTopic,
  driveSimClock,
  eventsTopic,
  loadMissionFile,
  nearestRank,
  silentLogger,
  SimClock,
  targetsTopic,
  type Component,
  type KestrelPlugin,
  type Mission,
  type Subscription,
} from '../index.js';
import { DEFAULT_LOCALISER_OPTIONS, sightingsTopic, type SkipReason } from '../perception/index.js';
import { simLabelsTopic, simTruthTopic, type SimTruth } from '../sim/index.js';

export type BoxSource = 'gt' | 'detector';

export interface LocalisationEvalOptions {
  readonly boxes: BoxSource;
  readonly seed?: number;
  /** Simulated seconds. Default 300. */
  readonly seconds?: number;
  /** Camera and detector rate, Hz. Default 5 (the mission's detector rate). */
  readonly rateHz?: number;
  /** Frame size; default the mission's 640 x 480. */
  readonly size?: readonly [number, number];
  /** Detector manifest in place of the mission's model (detector boxes). Default the mission's. */
  readonly model?: string;
}

export const RANGE_BINS: readonly (readonly [number, number])[] = [
  [10, 20],
  [20, 40],
  [40, 70],
  [70, 200],
];

export interface ErrorStats {
  readonly n: number;
  readonly medianM: number;
  readonly p90M: number;
}

export interface LocalisationReport {
  readonly boxes: BoxSource;
  readonly seed: number;
  readonly seconds: number;
  /** Per-sighting error by range bin ("10-20" ...), fire and person together, and per class. */
  readonly byRange: Readonly<Record<string, ErrorStats>>;
  readonly byClass: Readonly<Record<string, ErrorStats>>;
  /** World-model targets of class fire/person, error at their last publication. */
  readonly targets: ErrorStats;
  /** Targets ever more than PHANTOM_M from any true object of their class, or outside the scenario's bounds. */
  readonly phantoms: number;
  readonly phantomIds: readonly string[];
  /** Boxes the localiser did not place, by reason. */
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  /**
   * Sightings placed from frames captured while every pose was stale: from
   * the localiser's `maxPoseAgeMs` after the GNSS outage began to its end
   * (should be none: the pose is a guess). The first `maxPoseAgeMs` of the
   * outage still has a measured pose, by the localiser's design.
   */
  readonly placedInOutage: number;
  readonly estimatorResets: number;
}

const CLASSES = new Set(['fire', 'person']);
export const PHANTOM_M = 15;

export function stats(values: readonly number[]): ErrorStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    medianM: sorted.length === 0 ? Number.NaN : nearestRank(sorted, 0.5),
    p90M: sorted.length === 0 ? Number.NaN : nearestRank(sorted, 0.9),
  };
}

function nearestTruth(points: Iterable<{ readonly x: number; readonly y: number }>, x: number, y: number): number {
  let best = Infinity;
  for (const p of points) best = Math.min(best, Math.hypot(p.x - x, p.y - y));
  return best;
}

/** A "pipeline" that publishes the simulator's ground-truth boxes of each frame as detections. */
function groundTruthPipeline(rateHz: number): KestrelPlugin {
  return {
    name: 'eval-gt-boxes',
    pipeline: (p) => {
      let sub: Subscription | undefined;
      let last = -Infinity;
      const c: Component = {
        name: `gt-boxes-${p.id}`,
        start(ctx) {
          sub = ctx.bus.subscribe(simLabelsTopic(p.camera), (m) => {
            if (m.stampMs - last < 1000 / rateHz - 1) return;
            last = m.stampMs;
            ctx.bus.publish(
              detectionsTopic,
              {
                pipeline: p.id,
                camera: p.camera,
                model: 'ground-truth',
                width: m.data.width,
                height: m.data.height,
                frameStampMs: m.stampMs,
                detections: m.data.boxes
                  .filter((b) => CLASSES.has(b.cls))
                  .map((b) => ({
                    classId: b.cls === 'fire' ? 0 : 1,
                    className: b.cls,
                    score: 0.9,
                    box: { x1: b.x, y1: b.y, x2: b.x + b.w, y2: b.y + b.h },
                  })),
                latencyMs: {},
              },
              m.stampMs,
            );
          });
        },
        stop() {
          sub?.unsubscribe();
        },
      };
      return c;
    },
  };
}

export async function runLocalisationEval(options: LocalisationEvalOptions): Promise<LocalisationReport> {
  const seed = options.seed ?? 7;
  const seconds = options.seconds ?? 300;
  const rateHz = options.rateHz ?? 5;
  const loaded = await loadMissionFile(join(import.meta.dirname, '../missions/examples/firefighting-drone.yaml'));
  const base = loaded.mission;
  const mission: Mission = {
    ...base,
    simulation: { ...base.simulation!, seed },
    telemetry: {
      ...base.telemetry,
      broker: undefined,
      buffer: { ...base.telemetry.buffer, dir: `.kestrel/eval-localisation-${options.boxes}-${seed}-${process.pid}` },
    },
    sensors: base.sensors.map((s) =>
      s.type === 'camera'
        ? {
            ...s,
            rateHz,
            ...(options.size === undefined ? {} : { width: options.size[0], height: options.size[1] }),
          }
        : s,
    ),
    perception: { ...base.perception, pipelines: base.perception.pipelines.map((p) => ({ ...p, maxRateHz: rateHz })) },
    ...(options.model === undefined
      ? {}
      : { models: base.models.map((m) => ({ id: m.id, manifest: resolve(options.model as string) })) }),
  };
  const clock = new SimClock();
  const runtime = createRuntime(
    { ...loaded, mission },
    {
      clock,
      logger: silentLogger(),
      plugins: options.boxes === 'gt' ? [groundTruthPipeline(rateHz)] : [],
    },
  );
  let truth: SimTruth | undefined;
  const errors: { className: string; rangeM: number; errorM: number }[] = [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  const targetError = new Map<string, number>();
  const phantomIds = new Set<string>();
  const outage =
    mission.simulation?.scenario === 'forest-fire'
      ? ([150_000 + DEFAULT_LOCALISER_OPTIONS.maxPoseAgeMs, 165_000] as const)
      : undefined;
  let placedInOutage = 0;
  let resets = 0;
  const b = { minX: -60, minY: -60, maxX: 460, maxY: 360 };
  // Every cell that has burned so far: a target of a fire since put out is scored against where it was.
  const everBurning = new Map<string, { x: number; y: number }>();
  runtime.bus.subscribe(simTruthTopic, (m) => {
    truth = m.data;
    for (const c of m.data.fires.cells) everBurning.set(`${c.x},${c.y}`, c);
  });
  runtime.bus.subscribe(eventsTopic, (m) => {
    if (m.data.kind === 'estimator.reset') resets++;
  });
  runtime.bus.subscribe(sightingsTopic, (m) => {
    const r = m.data;
    if (r.reason !== undefined) skipped[r.reason] = (skipped[r.reason] ?? 0) + r.skipped;
    const t = truth;
    if (t === undefined) return;
    // When the frame was captured, in mission time (the report comes a pipeline latency later).
    const captured = r.frameStampMs - (clock.nowMs() - clock.elapsed());
    if (outage !== undefined && captured >= outage[0] && captured < outage[1]) placedInOutage += r.placed.length;
    for (const p of r.placed) {
      if (!CLASSES.has(p.className)) continue;
      const e = nearestTruth(p.className === 'person' ? t.persons : t.fires.cells, p.positionM.x, p.positionM.y);
      if (Number.isFinite(e)) errors.push({ className: p.className, rangeM: p.rangeM, errorM: e });
    }
  });
  runtime.bus.subscribe(targetsTopic, (m) => {
    const t = truth;
    if (t === undefined) return;
    for (const target of m.data) {
      if (!CLASSES.has(target.className)) continue;
      const { x, y } = target.positionM;
      const e = nearestTruth(target.className === 'person' ? t.persons : everBurning.values(), x, y);
      targetError.set(target.id, e);
      if (e > PHANTOM_M || x < b.minX || x > b.maxX || y < b.minY || y > b.maxY) phantomIds.add(target.id);
    }
  });
  await runtime.start();
  await driveSimClock(clock, { speed: Infinity, stepMs: mission.simulation?.stepMs ?? 10, durationMs: seconds * 1000 });
  await runtime.stop('evaluation done');

  const byRange: Record<string, ErrorStats> = {};
  for (const [lo, hi] of RANGE_BINS) {
    byRange[`${lo}-${hi}`] = stats(errors.filter((e) => e.rangeM >= lo && e.rangeM < hi).map((e) => e.errorM));
  }
  const byClass: Record<string, ErrorStats> = {};
  for (const c of CLASSES) byClass[c] = stats(errors.filter((e) => e.className === c).map((e) => e.errorM));
  return {
    boxes: options.boxes,
    seed,
    seconds,
    byRange,
    byClass,
    targets: stats([...targetError.values()]),
    phantoms: phantomIds.size,
    phantomIds: [...phantomIds],
    skipped,
    placedInOutage,
    estimatorResets: resets,
  };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const which = arg('boxes', 'both');
  const seconds = Number(arg('seconds', '300'));
  const seed = Number(arg('seed', '7'));
  const sources: BoxSource[] = which === 'both' ? ['gt', 'detector'] : [which as BoxSource];
  const model = arg('model', '');
  const fmt = (s: ErrorStats): string =>
    s.n === 0 ? 'n=0' : `median ${s.medianM.toFixed(2)} m, p90 ${s.p90M.toFixed(2)} m (n=${s.n})`;
  for (const boxes of sources) {
    const r = await runLocalisationEval({ boxes, seconds, seed, ...(model === '' ? {} : { model }) });
    process.stdout.write(`\n${boxes} boxes, seed ${seed}, ${seconds} s\n`);
    for (const [bin, s] of Object.entries(r.byRange)) process.stdout.write(`  range ${bin} m: ${fmt(s)}\n`);
    for (const [c, s] of Object.entries(r.byClass)) process.stdout.write(`  ${c}: ${fmt(s)}\n`);
    process.stdout.write(
      `  world-model targets: ${fmt(r.targets)}; phantoms (> ${PHANTOM_M} m or off the map): ${r.phantoms}\n`,
    );
    process.stdout.write(
      `  not placed: ${JSON.stringify(r.skipped)}; placed during the outage: ${r.placedInOutage}; estimator resets: ${r.estimatorResets}\n`,
    );
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
}
