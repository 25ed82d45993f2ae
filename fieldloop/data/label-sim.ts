/**
 * `kestrel data label-sim`: in the simulator, ground truth plays the labeller.
 * A sim mission with `simulation.labelLog` writes every camera frame's
 * ground-truth boxes to a JSONL file; this matches them to the captured
 * frames (same camera, same stamp) and stores them as corrected labels beside
 * the model's pre-labels, exactly as `kestrel data import` stores a human
 * labeller's work. `kestrel data export` then writes them (`--labels auto`),
 * and `--labels model` still gives the pre-labels.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { WallClock, type Clock } from '../../runtime/index.js';
import { CaptureStore } from '../capture/store.js';
import { DataError } from '../errors.js';
import { datasetClassNames } from './export.js';

/** One line of the sim label log (sim's `SimLabelRecord`), checked at this boundary. */
const labelRecordSchema = z.object({
  camera: z.string().min(1),
  stampMs: z.number(),
  width: z.int().positive(),
  height: z.int().positive(),
  boxes: z.array(
    z.object({
      cls: z.string().min(1),
      x: z.number(),
      y: z.number(),
      w: z.number().positive(),
      h: z.number().positive(),
    }),
  ),
});
type LabelRecord = z.infer<typeof labelRecordSchema>;

export interface RunDataLabelSimOptions {
  readonly store: string;
  /** The mission's `simulation.labelLog` file. */
  readonly truth: string;
  readonly json?: boolean;
  readonly clock?: Clock;
  readonly cwd?: string;
}

export interface DataLabelSimResult {
  readonly labelled: number;
  /** Captured frames the log has no line for (a log from another run, or cut short). */
  readonly unmatched: number;
  /** Boxes of classes the model does not have (left out of the labels). */
  readonly skippedBoxes: number;
  readonly text: string;
}

/** Camera stamps can be fractional ms (15 fps) and the store keeps whole ms (SQLite INTEGER truncates): match on whole ms. */
const key = (camera: string, stampMs: number): string => `${camera}\u0000${Math.trunc(stampMs)}`;

async function readLog(path: string): Promise<Map<string, LabelRecord>> {
  const byFrame = new Map<string, LabelRecord>();
  let lineNo = 0;
  try {
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let data: unknown;
      try {
        data = JSON.parse(line);
      } catch (cause) {
        throw new DataError('data.truth_invalid', `${path}:${lineNo}: not JSON`, { cause });
      }
      const parsed = labelRecordSchema.safeParse(data);
      if (!parsed.success)
        throw new DataError(
          'data.truth_invalid',
          `${path}:${lineNo}: not a sim label record (${parsed.error.message})`,
        );
      byFrame.set(key(parsed.data.camera, parsed.data.stampMs), parsed.data);
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError('data.truth_invalid', `cannot read sim label log ${path}`, { cause: error });
  }
  return byFrame;
}

/** Ground-truth pixel boxes as YOLO text in the model's class order; boxes of other classes are counted, not written. */
export function truthToYolo(
  record: Pick<LabelRecord, 'width' | 'height' | 'boxes'>,
  classNames: readonly string[],
): { readonly text: string; readonly skipped: number } {
  let skipped = 0;
  let text = '';
  for (const b of record.boxes) {
    const classId = classNames.indexOf(b.cls);
    if (classId < 0) {
      skipped++;
      continue;
    }
    const f = (v: number): string => Math.min(1, Math.max(0, v)).toFixed(6);
    text += `${classId} ${f((b.x + b.w / 2) / record.width)} ${f((b.y + b.h / 2) / record.height)} ${f(b.w / record.width)} ${f(b.h / record.height)}\n`;
  }
  return { text, skipped };
}

/** Labels every captured frame the log covers; all in one transaction. */
export async function runDataLabelSim(options: RunDataLabelSimOptions): Promise<DataLabelSimResult> {
  const cwd = options.cwd ?? process.cwd();
  const clock = options.clock ?? new WallClock();
  const truthPath = resolve(cwd, options.truth);
  const log = await readLog(truthPath);
  const store = new CaptureStore({ path: resolve(cwd, options.store), mustExist: true });
  try {
    const captures = store.captures();
    const classNames = datasetClassNames(store.models(), captures, function* () {
      for (const c of captures) yield* store.frames(c.id);
    });
    const items: { frameId: number; text: string }[] = [];
    let unmatched = 0;
    let skippedBoxes = 0;
    for (const c of captures) {
      for (const f of store.frames(c.id)) {
        const record = log.get(key(c.camera, f.stampMs));
        if (record === undefined || record.width !== f.width || record.height !== f.height) {
          unmatched++;
          continue;
        }
        const { text, skipped } = truthToYolo(record, classNames);
        skippedBoxes += skipped;
        items.push({ frameId: f.id, text });
      }
    }
    store.setLabelsMany(items, `sim-truth:${truthPath}`, clock.nowMs());
    const result = { labelled: items.length, unmatched, skippedBoxes };
    const text =
      options.json === true
        ? `${JSON.stringify({ ok: true, ...result }, null, 2)}\n`
        : `labelled ${items.length} captured frames from sim ground truth ${truthPath}` +
          (unmatched > 0 ? `; ${unmatched} frames not in the log` : '') +
          (skippedBoxes > 0 ? `; ${skippedBoxes} boxes of classes the model does not have left out` : '') +
          '\n';
    return { ...result, text };
  } finally {
    store.close();
  }
}
