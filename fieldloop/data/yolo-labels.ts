/** YOLO label text from detections, and the check of label text an operator's tool wrote. Pure. */
import type { Detection } from '../../runtime/index.js';
import { DataError } from '../errors.js';

/**
 * One `class cx cy w h` line per detection (fractions of the image, six
 * decimals), boxes clipped to the image; a box with nothing left inside is dropped.
 */
export function detectionsToYolo(
  detections: readonly Detection[],
  width: number,
  height: number,
  minScore = 0,
): string {
  let out = '';
  for (const d of detections) {
    if (d.score < minScore) continue;
    const x1 = Math.max(0, Math.min(width, d.box.x1));
    const x2 = Math.max(0, Math.min(width, d.box.x2));
    const y1 = Math.max(0, Math.min(height, d.box.y1));
    const y2 = Math.max(0, Math.min(height, d.box.y2));
    if (x2 - x1 <= 0 || y2 - y1 <= 0) continue;
    const cx = (x1 + x2) / 2 / width;
    const cy = (y1 + y2) / 2 / height;
    out += `${d.classId} ${cx.toFixed(6)} ${cy.toFixed(6)} ${((x2 - x1) / width).toFixed(6)} ${((y2 - y1) / height).toFixed(6)}\n`;
  }
  return out;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Checks label text (YOLO detection format) and returns it normalised (one
 * line per box, no blank lines). `classCount` bounds class ids when known.
 * Throws `data.labels_invalid` naming the file and line.
 */
export function checkYoloLabels(text: string, source: string, classCount: number | undefined): string {
  const lines: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    const where = `${source}:${i + 1}`;
    if (parts.length !== 5 || !parts.every((p) => NUMBER.test(p))) {
      throw new DataError('data.labels_invalid', `${where}: expected "class cx cy w h", got "${line}"`);
    }
    const [cls, ...box] = parts.map(Number) as [number, number, number, number, number];
    if (!Number.isInteger(cls) || cls < 0 || (classCount !== undefined && classCount > 0 && cls >= classCount)) {
      throw new DataError(
        'data.labels_invalid',
        `${where}: class ${parts[0] ?? ''} is not a class index${classCount === undefined ? '' : ` (0..${classCount - 1})`}`,
      );
    }
    if (box.some((v) => v < 0 || v > 1)) {
      throw new DataError('data.labels_invalid', `${where}: box values must be fractions of the image (0..1)`);
    }
    lines.push(parts.join(' '));
  });
  return lines.map((l) => `${l}\n`).join('');
}
