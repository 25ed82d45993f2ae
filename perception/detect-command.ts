/**
 * `kestrel detect`: run a model over image files once and report what it
 * found. The CLI parses arguments and prints `result.text`; everything else
 * lives here so it is testable without a process.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { annotatedPath, writeAnnotatedImage } from './annotate.js';
import { createDetector } from './detector.js';
import { PerceptionInputError } from './errors.js';
import { silentLogger, WallClock, type Clock, type Logger } from '../runtime/index.js';
import type { ProviderFallback } from './backend.js';

export interface RunDetectOptions {
  /** A model file (`.onnx`, a TF.js `model.json`) or a manifest (`.yaml`, `.yml`, `.json`). */
  readonly model: string;
  /** One image path or several. */
  readonly image: string | readonly string[];
  /** Render `text` as one JSON document instead of a table. */
  readonly json?: boolean;
  /** Overrides the manifest's scoreThreshold (0..1). */
  readonly scoreThreshold?: number;
  /**
   * Write each image with its boxes and labels drawn here (.png, .jpg, .webp).
   * Several images: one file each, `-1`, `-2`… before the extension, in
   * argument order (`annotatedPath`).
   */
  readonly out?: string;
  readonly logger?: Logger;
  /** For stage timings. Default: the wall clock. */
  readonly clock?: Clock;
  /** Folder relative paths resolve against. Default: cwd. */
  readonly cwd?: string;
}

export interface DetectCommandDetection {
  readonly classId: number;
  readonly className: string;
  /** 0..1, rounded to 4 places. */
  readonly score: number;
  /** [x1, y1, x2, y2], original image pixels, rounded to 0.1 px. */
  readonly boxXyxy: readonly [number, number, number, number];
}

export interface DetectCommandImage {
  readonly path: string;
  /** Pixels. */
  readonly width: number;
  readonly height: number;
  readonly detections: readonly DetectCommandDetection[];
  /** Where the annotated copy was written (absolute), with `out`. */
  readonly annotated?: string;
  readonly timings: {
    readonly readMs: number;
    readonly preprocessMs: number;
    readonly inferenceMs: number;
    readonly postprocessMs: number;
    readonly totalMs: number;
  };
}

export interface DetectCommandResult {
  readonly model: {
    readonly path: string;
    readonly sha256: string;
    readonly provider: string;
    readonly fallbacks: readonly ProviderFallback[];
    readonly input: { readonly width: number; readonly height: number };
    /** Load + verify + warm-up, ms. */
    readonly loadMs: number;
  };
  readonly images: readonly DetectCommandImage[];
  /** What the CLI prints: a table, or JSON with `--json`. */
  readonly text: string;
}

const round = (v: number, places: number): number => Math.round(v * 10 ** places) / 10 ** places;

/**
 * @example
 * const r = await runDetect({ model: 'yolov8n.onnx', image: 'bus.jpg', logger });
 * process.stdout.write(r.text);
 * // bus.jpg 810x1080: 5 detections (preprocess 9.8 ms, inference 201.3 ms, postprocess 1.2 ms) on cpu
 * //   bus      0.87  [ 22.1, 231.0, 805.3, 750.2]
 */
export async function runDetect(options: RunDetectOptions): Promise<DetectCommandResult> {
  const clock = options.clock ?? new WallClock();
  const cwd = options.cwd ?? process.cwd();
  const t0 = clock.monoMs();
  const detector = await createDetector(resolve(cwd, options.model), {
    logger: options.logger ?? silentLogger(),
    clock,
    baseDir: cwd,
    // One still image: a single warm-up run is enough to keep first-run costs out of the timings.
    overrides: {
      warmupRuns: 1,
      ...(options.scoreThreshold === undefined ? {} : { scoreThreshold: options.scoreThreshold }),
    },
  });
  const loadMs = clock.monoMs() - t0;
  try {
    const paths = typeof options.image === 'string' ? [options.image] : options.image;
    const images: DetectCommandImage[] = [];
    for (const p of paths) {
      const path = resolve(cwd, p);
      const r0 = clock.monoMs();
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (cause) {
        throw new PerceptionInputError('perception.input_invalid', `cannot read image ${path}`, {
          cause,
          issues: [{ code: 'not_found', path: ['image'], message: `cannot read ${path}` }],
        });
      }
      const readMs = clock.monoMs() - r0;
      const frame = await detector.run(bytes);
      const detections = frame.detections.map((d): DetectCommandDetection => ({
        classId: d.classId,
        className: d.className,
        score: round(d.score, 4),
        boxXyxy: [round(d.box.x1, 1), round(d.box.y1, 1), round(d.box.x2, 1), round(d.box.y2, 1)],
      }));
      let annotated: string | undefined;
      if (options.out !== undefined) {
        annotated = resolve(cwd, annotatedPath(options.out, images.length, paths.length));
        await writeAnnotatedImage(bytes, detections, annotated);
      }
      images.push({
        path,
        width: frame.width,
        height: frame.height,
        detections,
        ...(annotated === undefined ? {} : { annotated }),
        timings: { readMs, ...frame.timings },
      });
    }
    const model = {
      path: detector.modelPath,
      sha256: detector.sha256,
      provider: detector.activeProvider,
      fallbacks: detector.fallbacks,
      input: { width: detector.inputWidth, height: detector.inputHeight },
      loadMs,
    };
    const text =
      options.json === true ? `${JSON.stringify({ model, images }, null, 2)}\n` : renderTable(model.provider, images);
    return { model, images, text };
  } finally {
    await detector.close();
  }
}

function renderTable(provider: string, images: readonly DetectCommandImage[]): string {
  const lines: string[] = [];
  for (const img of images) {
    const t = img.timings;
    lines.push(
      `${img.path} ${img.width}x${img.height}: ${img.detections.length} detection${img.detections.length === 1 ? '' : 's'} ` +
        `(preprocess ${t.preprocessMs.toFixed(1)} ms, inference ${t.inferenceMs.toFixed(1)} ms, postprocess ${t.postprocessMs.toFixed(1)} ms) on ${provider}`,
    );
    const width = Math.max(5, ...img.detections.map((d) => d.className.length));
    for (const d of img.detections) {
      const box = d.boxXyxy.map((v) => v.toFixed(1).padStart(6)).join(', ');
      lines.push(`  ${d.className.padEnd(width)}  ${d.score.toFixed(2)}  [${box}]`);
    }
    if (img.annotated !== undefined) lines.push(`  drawn: ${img.annotated}`);
  }
  return `${lines.join('\n')}\n`;
}
