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
 *                                      [--explain] [--explain-out decomposition.jsonl]
 *
 * `--explain` takes each sighting's error apart (pose at capture, projection
 * with the true pose, the object the box really shows): see `Explained`.
 */
import { writeFileSync } from 'node:fs';
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
  type Runtime,
  type Subscription,
} from '../index.js';
import {
  cameraFromFov,
  compose,
  DEFAULT_LOCALISER_OPTIONS,
  fromMount,
  fromRpy,
  iouXyxy,
  localiseBox,
  sightingsTopic,
  type SightingReport,
  type SkipReason,
} from '../perception/index.js';
import { simLabelsTopic, simTruthTopic, simWorldService, type LabelBox, type SimTruth } from '../sim/index.js';

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
  /** Called with the runtime before it starts: extra subscriptions for a diagnosis. */
  readonly onRuntime?: (runtime: Runtime) => void;
  /** Decompose each sighting's error (pose, projection, truth); see `Explained`. */
  readonly explain?: boolean;
}

/**
 * One sighting's error taken apart. The box is tied to the object it shows
 * (the simulator's label of the same frame: exact for gt boxes, best IoU >= 0.3
 * for a detector's), and everything is compared at the frame's capture time:
 *   objectM    placed point to that object (the error with the truth made exact);
 *   geometryM  the same box projected with the TRUE camera pose, to the object:
 *              anchor choice, pixel rounding, ground height, camera model;
 *   poseShiftM placed point to the true-pose projection: what the pose error did;
 *   poseErrorM / dzM  the estimated pose minus the true one (horizontal, vertical);
 *   scoredM    the tool's score (nearest object of the class when the report arrived).
 */
export interface Explained {
  readonly className: string;
  readonly capturedS: number;
  readonly rangeM: number;
  readonly scoredM: number;
  readonly objectM: number;
  readonly geometryM: number;
  readonly poseShiftM: number;
  readonly poseErrorM: number;
  readonly dzM: number;
  /** The tied object: a person's id or a fire cell; undefined when no label overlapped the box. */
  readonly object?: string;
  readonly boxPx: readonly [number, number];
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
  /** Per sighting, with `explain`. */
  readonly explained?: readonly Explained[];
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

interface TruthPoint {
  readonly x: number;
  readonly y: number;
}

/** The point nearest (x, y), or undefined when there are none. */
function nearestPoint(points: Iterable<TruthPoint>, x: number, y: number): TruthPoint | undefined {
  let best: TruthPoint | undefined;
  let bestD = Infinity;
  for (const p of points) {
    const d = Math.hypot(p.x - x, p.y - y);
    if (d < bestD) {
      best = p;
      bestD = d;
    }
  }
  return best;
}

function nearestTruth(points: Iterable<TruthPoint>, x: number, y: number): number {
  const p = nearestPoint(points, x, y);
  return p === undefined ? Infinity : Math.hypot(p.x - x, p.y - y);
}

/** Truth at a mission time between two 10 Hz snapshots: the vehicle and persons linearly, fires from the nearer. */
function truthAt(
  history: readonly SimTruth[],
  tMs: number,
):
  | { vehicle: { x: number; y: number; z: number; yawRad: number }; person: (id: string) => TruthPoint | undefined }
  | undefined {
  let i = history.length - 1;
  while (i >= 0 && (history[i] as SimTruth).timeMs > tMs) i--;
  const a = history[i];
  const b = history[i + 1];
  if (a === undefined) return undefined;
  const f = b === undefined ? 0 : (tMs - a.timeMs) / (b.timeMs - a.timeMs);
  const lerp = (p: number, q: number | undefined): number => (q === undefined ? p : p + f * (q - p));
  const va = a.vehicle;
  const vb = b?.vehicle;
  const dyaw = vb === undefined ? 0 : Math.atan2(Math.sin(vb.yawRad - va.yawRad), Math.cos(vb.yawRad - va.yawRad));
  return {
    vehicle: {
      x: lerp(va.positionM.x, vb?.positionM.x),
      y: lerp(va.positionM.y, vb?.positionM.y),
      z: lerp(va.positionM.z, vb?.positionM.z),
      yawRad: va.yawRad + f * dyaw,
    },
    person: (id) => {
      const pa = a.persons.find((p) => p.id === id);
      const pb = b?.persons.find((p) => p.id === id);
      return pa === undefined ? undefined : { x: lerp(pa.x, pb?.x), y: lerp(pa.y, pb?.y) };
    },
  };
}

/** The label of the same frame that this box shows: the same box for gt boxes, else the best IoU >= 0.3. */
function matchLabel(
  labels: readonly LabelBox[] | undefined,
  className: string,
  box: { x1: number; y1: number; x2: number; y2: number },
): LabelBox | undefined {
  let best: LabelBox | undefined;
  let bestIou = 0.3;
  for (const l of labels ?? []) {
    if (l.cls !== className) continue;
    const iou = iouXyxy([box.x1, box.y1, box.x2, box.y2], [l.x, l.y, l.x + l.w, l.y + l.h]);
    if (iou >= bestIou) {
      best = l;
      bestIou = iou;
    }
  }
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
  const truthHistory: SimTruth[] = [];
  const labelsByStamp = new Map<number, readonly LabelBox[]>();
  const explained: Explained[] = [];
  const camSensor = mission.sensors.find((s) => s.type === 'camera');
  runtime.bus.subscribe(simTruthTopic, (m) => {
    truth = m.data;
    for (const c of m.data.fires.cells) everBurning.set(`${c.x},${c.y}`, c);
    if (options.explain === true) {
      truthHistory.push(m.data);
      if (truthHistory.length > 100) truthHistory.shift();
    }
  });
  if (options.explain === true && camSensor !== undefined) {
    runtime.bus.subscribe(simLabelsTopic(camSensor.id), (m) => {
      labelsByStamp.set(m.stampMs, m.data.boxes);
      for (const k of labelsByStamp.keys()) if (k < m.stampMs - 5000) labelsByStamp.delete(k);
    });
  }
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
      if (options.explain === true && Number.isFinite(e) && camSensor !== undefined) {
        const x = explainSighting(p, r, captured, e);
        if (x !== undefined) explained.push(x);
      }
    }
  });
  const explainSighting = (
    p: SightingReport['placed'][number],
    r: SightingReport,
    capturedMs: number,
    scoredM: number,
  ): Explained | undefined => {
    const cam = camSensor;
    const at = truthAt(truthHistory, capturedMs);
    if (cam === undefined || at === undefined || r.poseM === undefined) return undefined;
    const label = matchLabel(labelsByStamp.get(r.frameStampMs), p.className, p.box);
    const world = runtime.services.get(simWorldService);
    let object: TruthPoint | undefined;
    if (label?.cls === 'person') object = at.person(label.id);
    else if (label?.cls === 'fire' && world.fire !== undefined) {
      const cell = Number(label.id.slice('cell-'.length));
      object = { x: world.fire.cellCenterX(cell), y: world.fire.cellCenterY(cell) };
    }
    const { x, y } = p.positionM;
    const nearestNow = (): TruthPoint | undefined => {
      const h = truthHistory.findLast((q) => q.timeMs <= capturedMs) ?? truthHistory[0];
      return nearestPoint(p.className === 'person' ? (h?.persons ?? []) : (h?.fires.cells ?? []), x, y);
    };
    const target = object ?? nearestNow();
    if (target === undefined) return undefined;
    const mount = cam.mount ?? { xyzM: [0, 0, 0] as const, rpyDeg: [0, 0, 0] as const };
    const v = at.vehicle;
    // The simulated camera is gimballed: yaw from the airframe, roll and pitch from the mount only.
    const mapTcamera = compose(
      fromRpy(0, 0, v.yawRad, { x: v.x, y: v.y, z: v.z }),
      fromMount(mount.xyzM, mount.rpyDeg),
    );
    const intrinsics = cameraFromFov(cam.width ?? 640, cam.height ?? 480, cam.fovDeg ?? 90);
    const truePose = localiseBox(p.box, intrinsics, mapTcamera, {
      groundZ: 0,
      pixelSigma: 3,
      poseVarianceM2: { x: 0, y: 0 },
    });
    if (truePose === undefined) return undefined;
    const tp = truePose.positionM;
    return {
      className: p.className,
      capturedS: capturedMs / 1000,
      rangeM: p.rangeM,
      scoredM,
      objectM: Math.hypot(x - target.x, y - target.y),
      geometryM: Math.hypot(tp.x - target.x, tp.y - target.y),
      poseShiftM: Math.hypot(x - tp.x, y - tp.y),
      poseErrorM: Math.hypot(r.poseM.x - v.x, r.poseM.y - v.y),
      dzM: r.poseM.z - v.z,
      ...(label === undefined ? {} : { object: label.id }),
      boxPx: [p.box.x2 - p.box.x1, p.box.y2 - p.box.y1],
    };
  };
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
  options.onRuntime?.(runtime);
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
    ...(options.explain === true ? { explained } : {}),
  };
}

/** Medians of each part of the error, per class: where the error comes from, for an operator. */
export function formatExplained(rows: readonly Explained[]): string {
  const med = (xs: readonly number[]): string => {
    const s = stats(xs);
    return s.n === 0 ? '   -' : s.medianM.toFixed(2).padStart(5);
  };
  let out =
    '  error decomposition (medians, m): scored | vs own object | true-pose projection | pose shift | pose error xy | |dz|\n';
  for (const c of CLASSES) {
    const r = rows.filter((e) => e.className === c);
    if (r.length === 0) continue;
    const tied = r.filter((e) => e.object !== undefined).length;
    out +=
      `    ${c.padEnd(6)} ${med(r.map((e) => e.scoredM))} | ${med(r.map((e) => e.objectM))} | ` +
      `${med(r.map((e) => e.geometryM))} | ${med(r.map((e) => e.poseShiftM))} | ${med(r.map((e) => e.poseErrorM))} | ` +
      `${med(r.map((e) => Math.abs(e.dzM)))}  (n=${r.length}, ${tied} tied to a label)\n`;
  }
  return out;
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
  const explain = process.argv.includes('--explain');
  const explainOut = arg('explain-out', '');
  const fmt = (s: ErrorStats): string =>
    s.n === 0 ? 'n=0' : `median ${s.medianM.toFixed(2)} m, p90 ${s.p90M.toFixed(2)} m (n=${s.n})`;
  for (const boxes of sources) {
    const r = await runLocalisationEval({
      boxes,
      seconds,
      seed,
      explain: explain || explainOut !== '',
      ...(model === '' ? {} : { model }),
    });
    process.stdout.write(`\n${boxes} boxes, seed ${seed}, ${seconds} s\n`);
    for (const [bin, s] of Object.entries(r.byRange)) process.stdout.write(`  range ${bin} m: ${fmt(s)}\n`);
    for (const [c, s] of Object.entries(r.byClass)) process.stdout.write(`  ${c}: ${fmt(s)}\n`);
    process.stdout.write(
      `  world-model targets: ${fmt(r.targets)}; phantoms (> ${PHANTOM_M} m or off the map): ${r.phantoms}\n`,
    );
    process.stdout.write(
      `  not placed: ${JSON.stringify(r.skipped)}; placed during the outage: ${r.placedInOutage}; estimator resets: ${r.estimatorResets}\n`,
    );
    const { explained, ...summary } = r;
    if (explained !== undefined) {
      process.stdout.write(formatExplained(explained));
      if (explainOut !== '') {
        const file = explainOut.replace(/(\.jsonl)?$/, `-${boxes}-${seed}.jsonl`);
        writeFileSync(file, explained.map((e) => JSON.stringify(e)).join('\n') + '\n');
        process.stdout.write(`  per-sighting decomposition: ${file}\n`);
      }
    }
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
}
