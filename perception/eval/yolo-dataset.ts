import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KestrelError } from '../../runtime/index.js';
import type { EvalBox } from './average-precision.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** `eval.dataset_invalid`: a folder that is not a readable YOLO dataset. Codes are API. */
export class EvalDatasetError extends KestrelError {}

export interface YoloImageEntry {
  readonly imagePath: string;
  /** Absent label file = no objects (YOLO's convention for background images). */
  readonly labelPath: string;
}

export interface YoloSplit {
  readonly classNames: readonly string[];
  readonly images: readonly YoloImageEntry[];
}

/** Class names from a data.yaml `names:` (an index map or a list). */
export function parseDataYamlNames(text: string, source: string): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (cause) {
    throw new EvalDatasetError('eval.dataset_invalid', `${source} is not valid YAML`, { cause });
  }
  const names = typeof doc === 'object' && doc !== null ? (doc as { names?: unknown }).names : undefined;
  if (Array.isArray(names) && names.every((n) => typeof n === 'string')) return names;
  if (typeof names === 'object' && names !== null) {
    const entries = Object.entries(names as Record<string, unknown>);
    const out: string[] = [];
    for (const [k, v] of entries) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || typeof v !== 'string') break;
      out[i] = v;
    }
    if (out.length === entries.length && out.every((n) => typeof n === 'string')) return out;
  }
  throw new EvalDatasetError('eval.dataset_invalid', `${source} has no usable \`names:\` (a list or an index map)`, {
    issues: [{ code: 'invalid_names', path: ['names'], message: 'expected a list or {0: name, ...}' }],
  });
}

/**
 * One split of a YOLO dataset (`images/<split>/*`, `labels/<split>/*.txt`,
 * `data.yaml`), listed in file-name order.
 */
export async function readYoloSplit(root: string, split: string): Promise<YoloSplit> {
  const yamlPath = join(root, 'data.yaml');
  let yamlText: string;
  try {
    yamlText = await readFile(yamlPath, 'utf8');
  } catch (cause) {
    throw new EvalDatasetError('eval.dataset_invalid', `cannot read ${yamlPath}: not a YOLO dataset folder`, {
      cause,
      issues: [{ code: 'not_found', path: ['data.yaml'], message: `cannot read ${yamlPath}` }],
    });
  }
  const classNames = parseDataYamlNames(yamlText, yamlPath);
  const imageDir = join(root, 'images', split);
  let files: string[];
  try {
    files = await readdir(imageDir);
  } catch (cause) {
    throw new EvalDatasetError('eval.dataset_invalid', `no split "${split}": cannot read ${imageDir}`, {
      cause,
      issues: [{ code: 'not_found', path: ['images', split], message: `cannot read ${imageDir}` }],
    });
  }
  const images = files
    .filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()))
    .sort()
    .map((f) => ({
      imagePath: join(imageDir, f),
      labelPath: join(root, 'labels', split, `${f.slice(0, f.length - extname(f).length)}.txt`),
    }));
  if (images.length === 0)
    throw new EvalDatasetError('eval.dataset_invalid', `split "${split}" has no images in ${imageDir}`, {
      issues: [{ code: 'empty', path: ['images', split], message: 'no .jpg/.png/.webp files' }],
    });
  return { classNames, images };
}

/**
 * YOLO label lines (`class cx cy w h`, fractions of the image) to pixel boxes.
 * Throws on a malformed line, naming file and line: a silently skipped label
 * would inflate precision.
 */
export function parseYoloLabels(text: string, width: number, height: number, source: string): EvalBox[] {
  const boxes: EvalBox[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const p = line.split(/\s+/).map(Number);
    const [c, cx, cy, w, h] = p as [number, number, number, number, number];
    if (p.length !== 5 || !p.every(Number.isFinite) || !Number.isInteger(c) || c < 0 || w < 0 || h < 0)
      throw new EvalDatasetError(
        'eval.dataset_invalid',
        `${source}:${i + 1}: expected "class cx cy w h", got "${line}"`,
        {
          issues: [{ code: 'invalid_label', path: [source, i + 1], message: line }],
        },
      );
    boxes.push({
      classId: c,
      box: [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height],
    });
  });
  return boxes;
}
