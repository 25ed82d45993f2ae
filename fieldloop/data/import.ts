/**
 * `kestrel data import`: corrected labels come back from a labelling tool (or,
 * in the simulator, from ground truth) and are stored beside the model's
 * pre-labels, keyed by the exported file stem (`c000042-f03.txt`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { WallClock, type Clock } from '../../runtime/index.js';
import { CaptureStore } from '../capture/store.js';
import { DataError } from '../errors.js';
import { datasetClassNames } from './export.js';
import { checkYoloLabels } from './yolo-labels.js';

const STEM = /^c(\d+)-f(\d+)\.txt$/;

export interface RunDataImportOptions {
  readonly store: string;
  /** A folder of YOLO label files (searched recursively), e.g. the exported dataset after correction. */
  readonly labels: string;
  readonly json?: boolean;
  readonly clock?: Clock;
  readonly cwd?: string;
}

export interface DataImportResult {
  readonly imported: number;
  /** Label files whose frame is no longer in the store (evicted since export). */
  readonly missing: readonly string[];
  /** .txt files that are not named like an exported frame. */
  readonly ignored: readonly string[];
  readonly text: string;
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    throw new DataError('data.labels_invalid', `cannot read label folder ${dir}`, { cause });
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && e.name.endsWith('.txt')) out.push(p);
  }
  return out.sort();
}

/**
 * Checks every file first and stores nothing if one is malformed
 * (`data.labels_invalid`, naming file and line), so an import is all or nothing.
 */
export async function runDataImport(options: RunDataImportOptions): Promise<DataImportResult> {
  const cwd = options.cwd ?? process.cwd();
  const clock = options.clock ?? new WallClock();
  const root = resolve(cwd, options.labels);
  const files = await walk(root);
  const store = new CaptureStore({ path: resolve(cwd, options.store), mustExist: true });
  try {
    const captures = store.captures();
    const classCount = datasetClassNames(store.models(), captures, () => []).length;
    const checked: { frameId: number; text: string }[] = [];
    const missing: string[] = [];
    const ignored: string[] = [];
    for (const file of files) {
      const m = STEM.exec(basename(file));
      if (m === null) {
        ignored.push(file);
        continue;
      }
      const text = checkYoloLabels(await readFile(file, 'utf8'), file, classCount === 0 ? undefined : classCount);
      const frameId = store.frameId(Number(m[1]), Number(m[2]));
      if (frameId === undefined) missing.push(file);
      else checked.push({ frameId, text });
    }
    const now = clock.nowMs();
    store.setLabelsMany(checked, `import:${root}`, now);
    const result = { imported: checked.length, missing, ignored };
    const text =
      options.json === true
        ? `${JSON.stringify({ ok: true, ...result }, null, 2)}\n`
        : `imported corrected labels for ${checked.length} frames from ${root}` +
          (missing.length > 0 ? `; ${missing.length} name frames no longer in the store` : '') +
          (ignored.length > 0 ? `; ${ignored.length} files ignored (not named c<capture>-f<frame>.txt)` : '') +
          '\n';
    return { ...result, text };
  } finally {
    store.close();
  }
}
