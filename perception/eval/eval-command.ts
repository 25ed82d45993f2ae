/**
 * `kestrel eval`: run a detector over a labelled YOLO split and score it.
 * The CLI parses arguments and prints `result.text`; everything else lives
 * here so it is testable without a process.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { silentLogger, WallClock, type Clock, type Logger } from '../../runtime/index.js';
import { createDetector } from '../detector.js';
import { resolveManifest } from '../manifest-file.js';
import { evaluateDetections, type EvalImage, type EvalMetricOptions, type EvalMetrics } from './average-precision.js';
import { evaluateBySize, type ClassSizeMetrics } from './size-buckets.js';
import { EvalDatasetError, parseYoloLabels, readYoloSplit } from './yolo-dataset.js';

export interface RunEvalOptions {
  /** A model file (`.onnx`) or a manifest (`.yaml`, `.yml`, `.json`). */
  readonly model: string;
  /** YOLO dataset folder (data.yaml, images/, labels/). */
  readonly data: string;
  /** Default val. */
  readonly split?: string;
  readonly json?: boolean;
  /** Evaluate at most this many images (file-name order). */
  readonly limit?: number;
  /** Also report by object size: bucket edges on the box's longer side, pixels (see `evaluateBySize`). */
  readonly sizeEdgesPx?: readonly number[];
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly cwd?: string;
  /** Called after each image. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface EvalCommandResult {
  readonly model: { readonly path: string; readonly sha256: string; readonly provider: string };
  readonly data: { readonly path: string; readonly split: string; readonly images: number };
  readonly metrics: EvalMetrics;
  /** With `sizeEdgesPx`: per class, metrics by object size. */
  readonly bySize?: readonly ClassSizeMetrics[];
  /** Mean detector time per image (preprocess + inference + postprocess), ms. */
  readonly meanLatencyMs: number;
  readonly text: string;
}

/**
 * Scores are collected down to this: AP needs the whole precision-recall
 * curve, not only what passes the operating threshold (Ultralytics val uses
 * 0.001 too).
 */
const EVAL_MIN_SCORE = 0.001;

/**
 * Detections the detector may hand over per image. The manifest's
 * `maxDetections` is an operating cap across classes (100 for ours); with
 * every score down to 0.001, a frame full of weak smoke cells would push a
 * weak person out before AP sees it. AP applies COCO's 100 per image and
 * class itself.
 */
const EVAL_MAX_DETECTIONS = 100_000;

/**
 * @example
 * const r = await runEval({ model: 'models/kestrel-sim-det.yaml', data: 'data/ff-val' });
 * process.stdout.write(r.text);
 * // fire     objects 412  P 0.91  R 0.88  AP50 0.93  AP50-95 0.71 …
 */
export async function runEval(options: RunEvalOptions): Promise<EvalCommandResult> {
  const clock = options.clock ?? new WallClock();
  const cwd = options.cwd ?? process.cwd();
  const split = options.split ?? 'val';
  const dataRoot = resolve(cwd, options.data);
  const dataset = await readYoloSplit(dataRoot, split);
  const modelSource = resolve(cwd, options.model);
  // The operating point (precision/recall) is the manifest's; the detector itself runs with a floor threshold.
  const { manifest } = await resolveManifest(modelSource, cwd);
  const detector = await createDetector(modelSource, {
    logger: options.logger ?? silentLogger(),
    clock,
    baseDir: cwd,
    overrides: {
      scoreThreshold: EVAL_MIN_SCORE,
      // A per-class threshold would end that class's curve early too; NMS IoU and `enabled` stay the manifest's.
      classes: Object.fromEntries(
        Object.entries(manifest.classes).map(([name, o]) => [name, { ...o, scoreThreshold: EVAL_MIN_SCORE }]),
      ),
      maxDetections: EVAL_MAX_DETECTIONS,
      warmupRuns: 1,
    },
  });
  try {
    // Class ids of the dataset and the model may differ in order: match them by name.
    const modelIdOf = new Map(detector.classNames.map((n, i) => [n, i]));
    const datasetIdOfModel = new Map<number, number>();
    dataset.classNames.forEach((n, i) => {
      const m = modelIdOf.get(n);
      if (m !== undefined) datasetIdOfModel.set(m, i);
    });
    if (datasetIdOfModel.size === 0)
      throw new EvalDatasetError(
        'eval.classes_disjoint',
        `the model's classes (${detector.classNames.join(', ')}) share no name with the dataset's (${dataset.classNames.join(', ')})`,
      );
    const entries = options.limit === undefined ? dataset.images : dataset.images.slice(0, options.limit);
    const images: EvalImage[] = [];
    let detectorMs = 0;
    for (const [k, entry] of entries.entries()) {
      const bytes = await readFile(entry.imagePath);
      const frame = await detector.run(bytes);
      detectorMs += frame.timings.totalMs;
      const labelText = await readFile(entry.labelPath, 'utf8').catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
        throw e;
      });
      images.push({
        truth: parseYoloLabels(labelText, frame.width, frame.height, entry.labelPath),
        detections: frame.detections.flatMap((d) => {
          const classId = datasetIdOfModel.get(d.classId);
          return classId === undefined
            ? []
            : [{ classId, score: d.score, box: [d.box.x1, d.box.y1, d.box.x2, d.box.y2] as const }];
        }),
      });
      options.onProgress?.(k + 1, entries.length);
    }
    const thresholds = dataset.classNames.map((n) => manifest.classes[n]?.scoreThreshold ?? manifest.scoreThreshold);
    const metricOptions: EvalMetricOptions = { operatingScore: (c) => thresholds[c] ?? manifest.scoreThreshold };
    const metrics = evaluateDetections(images, dataset.classNames, metricOptions);
    const bySize =
      options.sizeEdgesPx === undefined
        ? undefined
        : evaluateBySize(images, dataset.classNames, options.sizeEdgesPx, metricOptions);
    const result = {
      model: { path: detector.modelPath, sha256: detector.sha256, provider: detector.activeProvider },
      data: { path: dataRoot, split, images: images.length },
      metrics,
      ...(bySize === undefined ? {} : { bySize }),
      meanLatencyMs: images.length === 0 ? 0 : detectorMs / images.length,
    };
    const text = options.json === true ? `${JSON.stringify(result, null, 2)}\n` : renderTable(result);
    return { ...result, text };
  } finally {
    await detector.close();
  }
}

/** Absent values print as '-' (a class with no objects has no AP). */
function f(v: number | null): string {
  return v === null ? '    -' : v.toFixed(3);
}

function renderTable(r: Omit<EvalCommandResult, 'text'>): string {
  const m = r.metrics;
  const width = Math.max(5, ...m.classes.map((c) => c.className.length));
  const lines = [
    `${r.data.path} [${r.data.split}]: ${r.data.images} images; model ${r.model.path} on ${r.model.provider}, ` +
      `${r.meanLatencyMs.toFixed(1)} ms/image`,
    `${'class'.padEnd(width)}  objects  dets     P      R    AP50  AP50-95`,
  ];
  for (const c of m.classes) {
    lines.push(
      `${c.className.padEnd(width)}  ${String(c.objects).padStart(7)}  ${String(c.detections).padStart(5)}  ` +
        `${f(c.precision)}  ${f(c.recall)}  ${f(c.ap50)}  ${f(c.ap50to95)}`,
    );
  }
  lines.push(
    `${'all'.padEnd(width)}  ${String(m.classes.reduce((a, c) => a + c.objects, 0)).padStart(7)}  ` +
      `${String(m.classes.reduce((a, c) => a + c.detections, 0)).padStart(5)}  ` +
      `${f(m.precision)}  ${f(m.recall)}  ${f(m.map50)}  ${f(m.map50to95)}`,
  );
  if (r.bySize !== undefined) lines.push(...renderBySize(r.bySize, width));
  return `${lines.join('\n')}\n`;
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
}

/** One line per class and size bucket holding objects. */
function renderBySize(bySize: readonly ClassSizeMetrics[], width: number): string[] {
  const lines = [
    '',
    'by size (box longer side, px); recall: boxed at IoU 0.5, found: overlapped at IoU 0.1, both at the operating',
    'score; size error: mean detected minus labelled width / height of the found objects, px',
    `${'class'.padEnd(width)}  size      objects   AP50  recall  found  size error`,
  ];
  for (const c of bySize) {
    for (const b of c.buckets) {
      if (b.objects === 0) continue;
      const range = b.maxPx === null ? `>=${b.minPx}` : b.minPx === 0 ? `<${b.maxPx}` : `${b.minPx}-${b.maxPx}`;
      const err = b.sizeErrorPx === null ? '-' : `${signed(b.sizeErrorPx.width)} / ${signed(b.sizeErrorPx.height)}`;
      lines.push(
        `${c.className.padEnd(width)}  ${range.padEnd(8)}  ${String(b.objects).padStart(7)}  ${f(b.ap50)}  ` +
          `${f(b.recall)}  ${f(b.found)}  ${err}`,
      );
    }
  }
  return lines;
}
