/**
 * Draws detections on an image: a box per detection and a `class score`
 * label, as one SVG overlay composited by sharp onto the original pixels.
 * Boxes are in stored-pixel coordinates (EXIF orientation not applied, as
 * the detector reads them), so the output is written unrotated too.
 */
import { extname } from 'node:path';
import sharp from 'sharp';
import { PerceptionInputError } from './errors.js';

export interface AnnotationBox {
  readonly classId: number;
  readonly className: string;
  /** 0..1. */
  readonly score: number;
  /** [x1, y1, x2, y2], image pixels. */
  readonly boxXyxy: readonly [number, number, number, number];
}

/** Distinct, readable on photos; indexed by class id. */
const PALETTE = [
  '#ff3838',
  '#2c99a8',
  '#ff9d97',
  '#48f90a',
  '#ff701f',
  '#1a9334',
  '#ffb21d',
  '#00c2ff',
  '#cfd231',
  '#344593',
];

const FORMATS = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' } as const;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The SVG overlay for an image of `width` x `height`. */
export function annotationSvg(width: number, height: number, boxes: readonly AnnotationBox[]): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 300));
  const font = Math.max(11, Math.round(Math.min(width, height) / 45));
  const parts: string[] = [];
  for (const b of boxes) {
    const colour = PALETTE[((b.classId % PALETTE.length) + PALETTE.length) % PALETTE.length] ?? PALETTE[0];
    const [x1, y1, x2, y2] = b.boxXyxy;
    parts.push(
      `<rect x="${x1}" y="${y1}" width="${Math.max(0, x2 - x1)}" height="${Math.max(0, y2 - y1)}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>`,
    );
    const label = `${b.className} ${b.score.toFixed(2)}`;
    const labelH = font + 4;
    // Above the box when there is room, else just inside its top edge.
    const top = y1 - labelH >= 0 ? y1 - labelH : y1;
    const labelW = Math.round(label.length * font * 0.6) + 6;
    parts.push(
      `<rect x="${x1}" y="${top}" width="${labelW}" height="${labelH}" fill="${colour}"/>`,
      `<text x="${x1 + 3}" y="${top + font}" font-family="sans-serif" font-size="${font}" fill="#ffffff">${escapeXml(label)}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/**
 * Writes `image` with `boxes` drawn on it to `outPath`; the format follows
 * the extension (.png, .jpg/.jpeg, .webp). Throws `perception.output_invalid`
 * for another extension or a file that cannot be written.
 */
export async function writeAnnotatedImage(
  image: Uint8Array,
  boxes: readonly AnnotationBox[],
  outPath: string,
): Promise<{ width: number; height: number }> {
  const format = FORMATS[extname(outPath).toLowerCase() as keyof typeof FORMATS] as
    (typeof FORMATS)[keyof typeof FORMATS] | undefined;
  if (format === undefined) {
    throw new PerceptionInputError(
      'perception.output_invalid',
      `cannot write ${outPath}: the annotated image must end in .png, .jpg, .jpeg or .webp`,
      { issues: [{ code: 'invalid_value', path: ['out'], message: 'unsupported image extension' }] },
    );
  }
  const base = sharp(image, { failOn: 'error' });
  const { width, height } = await base.metadata();
  const overlay = Buffer.from(annotationSvg(width, height, boxes));
  try {
    await base
      .composite([{ input: overlay, top: 0, left: 0 }])
      .toFormat(format)
      .toFile(outPath);
  } catch (cause) {
    throw new PerceptionInputError('perception.output_invalid', `cannot write ${outPath}: ${String(cause)}`, {
      cause,
      issues: [{ code: 'write_failed', path: ['out'], message: `cannot write ${outPath}` }],
    });
  }
  return { width, height };
}

/**
 * Where the annotated copy of image `index` (0-based) of `count` goes: `out`
 * itself for one image; for several, `out` with `-1`, `-2`… before its
 * extension, in argument order (`annotated.png` → `annotated-1.png`).
 */
export function annotatedPath(out: string, index: number, count: number): string {
  if (count <= 1) return out;
  const ext = extname(out);
  return `${out.slice(0, out.length - ext.length)}-${index + 1}${ext}`;
}
