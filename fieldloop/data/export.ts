/**
 * `kestrel data export`: the cold memory. Captures leave the device as a
 * YOLO-format dataset a trainer reads as is:
 *
 * ```
 * out/
 *   data.yaml                       class names (the model's), train/val pointing at the split
 *   images/<split>/c000042-f03.jpg  capture 42, frame 3
 *   labels/<split>/c000042-f03.txt  the model's predictions (pre-labels), or imported corrections
 *   images/unlabelled/…             frames with no labels yet (perception skipped them): for a labeller,
 *                                   never in the split, where a missing label file would mean "background"
 *   provenance.jsonl                one line per image: mission, model sha256, trigger, time, pose
 * ```
 *
 * The file stem names the capture and frame, so `kestrel data import` can
 * bring corrected labels back to the right frame.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { CaptureStore, type CaptureRow, type FrameRow, type ModelInfo } from '../capture/store.js';
import { DataError } from '../errors.js';
import { detectionsToYolo } from './yolo-labels.js';

export type LabelChoice = 'auto' | 'model' | 'corrected';

/** Frames with no labels at all (perception skipped them, nobody corrected them) wait here, outside every split. */
export const UNLABELLED = 'unlabelled';

export interface RunDataExportOptions {
  readonly store: string;
  readonly out: string;
  /** Default train. */
  readonly split?: string;
  /** auto: corrected labels where imported, else the model's; model: always the model's; corrected: only frames with corrected labels. Default auto. */
  readonly labels?: LabelChoice;
  /** Pre-labels below this score are left out. Default 0 (everything the model reported). */
  readonly minScore?: number;
  /** Only the frame that triggered each capture, not its context. Default false. */
  readonly triggerFramesOnly?: boolean;
  readonly json?: boolean;
  readonly cwd?: string;
}

export interface ProvenanceLine {
  readonly image: string;
  /** Null for a frame with no labels yet (its image is in images/unlabelled/). */
  readonly labels: string | null;
  readonly labelSource: 'model' | 'corrected' | 'none';
  readonly captureId: number;
  readonly frameSeq: number;
  readonly triggerFrame: boolean;
  readonly mission: string;
  readonly camera: string;
  readonly modelId: string | null;
  readonly modelSha256: string | null;
  readonly trigger: string;
  readonly triggerDetail: Record<string, unknown>;
  readonly priority: number;
  readonly operatorMarked: boolean;
  /** Source stamp of this frame, epoch ms, and as ISO 8601. */
  readonly stampMs: number;
  readonly time: string;
  readonly anchorStampMs: number;
  readonly capturedAtMs: number;
  readonly pose: FrameRow['pose'];
}

export interface DataExportResult {
  readonly out: string;
  readonly split: string;
  readonly captures: number;
  readonly images: number;
  readonly labelSources: { readonly model: number; readonly corrected: number; readonly none: number };
  readonly classNames: readonly string[];
  readonly text: string;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
export const frameStem = (captureId: number, seq: number): string => `c${pad(captureId, 6)}-f${pad(seq, 2)}`;

/** One class list for the dataset: every model's names must agree where both name an index. */
export function datasetClassNames(
  models: readonly ModelInfo[],
  captures: readonly CaptureRow[],
  frames: () => Iterable<FrameRow>,
): string[] {
  const names: string[] = [];
  const set = (i: number, name: string, from: string): void => {
    const had = names[i];
    if (had !== undefined && had !== name) {
      throw new DataError(
        'data.class_conflict',
        `class ${i} is "${had}" in one model and "${name}" in ${from}: export one model's captures at a time`,
      );
    }
    names[i] = name;
  };
  const used = new Set(captures.map((c) => c.modelSha256));
  for (const m of models) if (used.has(m.sha256)) m.classNames.forEach((n, i) => set(i, n, `model ${m.modelId}`));
  // Models recorded without names (a TF.js model, a manifest without classNames): fall back to what detections call them.
  for (const f of frames())
    for (const d of f.detections ?? []) if (names[d.classId] === undefined) set(d.classId, d.className, 'detections');
  for (let i = 0; i < names.length; i++) names[i] ??= `class_${i}`;
  return names;
}

export async function runDataExport(options: RunDataExportOptions): Promise<DataExportResult> {
  const cwd = options.cwd ?? process.cwd();
  const split = options.split ?? 'train';
  if (!/^[A-Za-z0-9_-]+$/.test(split))
    throw new DataError('data.split_invalid', `split "${split}" must be a plain folder name`);
  const choice = options.labels ?? 'auto';
  const out = resolve(cwd, options.out);
  const existing = await readdir(out).catch(() => [] as string[]);
  if (existing.includes('data.yaml') || existing.includes('provenance.jsonl')) {
    throw new DataError('data.out_not_empty', `${out} already holds a dataset: export into a new folder`);
  }
  const store = new CaptureStore({ path: resolve(cwd, options.store), mustExist: true });
  try {
    const captures = store.captures();
    const framesOf = new Map(captures.map((c) => [c.id, store.frames(c.id)]));
    const classNames = datasetClassNames(store.models(), captures, function* () {
      for (const list of framesOf.values()) yield* list;
    });
    if (split === UNLABELLED)
      throw new DataError('data.split_invalid', `split "${UNLABELLED}" is reserved for frames without labels`);
    const labelDir = join(out, 'labels', split);
    await mkdir(join(out, 'images', split), { recursive: true });
    await mkdir(labelDir, { recursive: true });
    const provenance: string[] = [];
    const sources = { model: 0, corrected: 0, none: 0 };
    let images = 0;
    let exportedCaptures = 0;
    for (const c of captures) {
      let any = false;
      for (const f of framesOf.get(c.id) ?? []) {
        if (options.triggerFramesOnly === true && !f.isTrigger) continue;
        let labelText: string;
        let labelSource: ProvenanceLine['labelSource'];
        if (f.labels !== null && choice !== 'model') {
          labelText = f.labels;
          labelSource = 'corrected';
        } else if (choice === 'corrected') {
          continue;
        } else if (f.detections === null) {
          // Perception never ran on this frame (it fell behind): no pre-labels. In the split, a missing label
          // file means "background" to a trainer, so it goes to images/unlabelled/ for a labeller instead.
          labelText = '';
          labelSource = 'none';
        } else {
          labelText = detectionsToYolo(f.detections, f.width, f.height, options.minScore ?? 0);
          labelSource = 'model';
        }
        const stem = frameStem(c.id, f.seq);
        const imageName = `${stem}.${f.format === 'png' ? 'png' : 'jpg'}`;
        const folder = labelSource === 'none' ? UNLABELLED : split;
        if (labelSource === 'none') await mkdir(join(out, 'images', UNLABELLED), { recursive: true });
        await writeFile(join(out, 'images', folder, imageName), f.image);
        if (labelSource !== 'none') await writeFile(join(labelDir, `${stem}.txt`), labelText);
        sources[labelSource]++;
        images++;
        any = true;
        const line: ProvenanceLine = {
          image: `images/${folder}/${imageName}`,
          labels: labelSource === 'none' ? null : `labels/${split}/${stem}.txt`,
          labelSource,
          captureId: c.id,
          frameSeq: f.seq,
          triggerFrame: f.isTrigger,
          mission: c.mission,
          camera: c.camera,
          modelId: c.modelId,
          modelSha256: c.modelSha256,
          trigger: c.trigger,
          triggerDetail: c.detail,
          priority: c.priority,
          operatorMarked: c.operatorMarked,
          stampMs: f.stampMs,
          time: new Date(f.stampMs).toISOString(),
          anchorStampMs: c.anchorStampMs,
          capturedAtMs: c.createdMs,
          pose: f.pose,
        };
        provenance.push(JSON.stringify(line));
      }
      if (any) exportedCaptures++;
    }
    await writeFile(join(out, 'provenance.jsonl'), provenance.map((l) => `${l}\n`).join(''));
    await writeFile(
      join(out, 'data.yaml'),
      `# Kestrel field captures from ${options.store}: ${exportedCaptures} captures, ${images} images. Labels: ${choice}.\n` +
        stringifyYaml({
          path: '.',
          train: `images/${split}`,
          val: `images/${split}`,
          nc: classNames.length,
          names: Object.fromEntries(classNames.map((n, i) => [i, n])),
        }),
    );
    const result = { out, split, captures: exportedCaptures, images, labelSources: sources, classNames };
    const text =
      options.json === true
        ? `${JSON.stringify({ ok: true, ...result }, null, 2)}\n`
        : `exported ${images} images from ${exportedCaptures} captures to ${out} (labels: ${sources.model} model, ${sources.corrected} corrected, ${sources.none} none; classes: ${classNames.join(', ') || 'none'})\n`;
    return { ...result, text };
  } finally {
    store.close();
  }
}
