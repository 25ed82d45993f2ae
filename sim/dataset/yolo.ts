import type { LabelBox } from '../render/renderer.js';
import type { DatasetClass } from './classes.js';

/** One YOLO label: class index and box centre/size as fractions of the image. */
export interface YoloLabel {
  readonly classIndex: number;
  readonly cx: number;
  readonly cy: number;
  readonly w: number;
  readonly h: number;
}

/**
 * Pixel boxes to YOLO labels: clipped to the image, dropped when the class is
 * not in `classes` or when less than `minSizePx` remains on either side (a
 * one-pixel sliver is noise, not an object anyone could point at).
 */
export function toYoloLabels(
  boxes: readonly LabelBox[],
  width: number,
  height: number,
  classes: readonly DatasetClass[],
  minSizePx = 2,
): YoloLabel[] {
  const labels: YoloLabel[] = [];
  for (const b of boxes) {
    const classIndex = (classes as readonly string[]).indexOf(b.cls);
    if (classIndex < 0) continue;
    const x0 = Math.max(0, b.x);
    const y0 = Math.max(0, b.y);
    const x1 = Math.min(width, b.x + b.w);
    const y1 = Math.min(height, b.y + b.h);
    if (x1 - x0 < minSizePx || y1 - y0 < minSizePx) continue;
    labels.push({
      classIndex,
      cx: (x0 + x1) / 2 / width,
      cy: (y0 + y1) / 2 / height,
      w: (x1 - x0) / width,
      h: (y1 - y0) / height,
    });
  }
  return labels;
}

/** The text of a YOLO label file: one `class cx cy w h` line per label, six decimals. */
export function formatYoloLabels(labels: readonly YoloLabel[]): string {
  return labels
    .map((l) => `${l.classIndex} ${l.cx.toFixed(6)} ${l.cy.toFixed(6)} ${l.w.toFixed(6)} ${l.h.toFixed(6)}\n`)
    .join('');
}

/** `data.yaml` in the form Ultralytics reads: paths relative to the file, names as an index map. */
export function formatDataYaml(classes: readonly string[], comment: readonly string[] = []): string {
  const lines = [
    ...comment.map((c) => `# ${c}`),
    'path: .',
    'train: images/train',
    'val: images/val',
    `nc: ${classes.length}`,
    'names:',
    ...classes.map((c, i) => `  ${i}: ${c}`),
  ];
  return `${lines.join('\n')}\n`;
}
