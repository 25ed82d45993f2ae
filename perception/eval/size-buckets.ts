/**
 * Metrics by object size: where a model loses the small ones. A detector for
 * a drone's camera is judged on persons two to ten pixels wide, and one AP
 * over every size hides which of them it misses, and whether it misses them
 * (never reported) or mis-boxes them (reported, but with a box that overlaps
 * the object under IoU 0.5). COCO splits by area (APsmall/medium/large);
 * here a bucket is a range of the box's longer side in image pixels, which
 * is what a field operator reads off a frame.
 *
 * AP per bucket follows COCO's area ranges (`COCOeval.evaluateImg`): objects
 * outside the bucket are ignored rather than dropped, so a detection matching
 * one is neither a hit nor a false alarm; a detection that matches nothing
 * counts as a false alarm only when its own size is inside the bucket.
 */
import {
  averagePrecision,
  iouXyxy,
  rankedDetections,
  type EvalImage,
  type EvalMetricOptions,
  type Xyxy,
} from './average-precision.js';

/** A detection whose best overlap with an object reaches this found the object, whatever its box. */
export const FOUND_IOU = 0.1;
/** COCO's IoU for a hit. */
const HIT_IOU = 0.5;

export interface SizeBucketMetrics {
  /** Longer side of the box, pixels: lo inclusive, hi exclusive (null: no upper bound). */
  readonly minPx: number;
  readonly maxPx: number | null;
  /** Labelled objects in the bucket. */
  readonly objects: number;
  /** AP at IoU 0.5 over the bucket (COCO's area-range rule); null without objects. */
  readonly ap50: number | null;
  /** Share of the objects a detection at the operating score boxes at IoU 0.5 or more. */
  readonly recall: number | null;
  /** Share of the objects a detection at the operating score overlaps at IoU FOUND_IOU or more. */
  readonly found: number | null;
  /**
   * Over the found objects, the best detection's box minus the label's, pixels
   * (mean width and height error): positive boxes are too large.
   */
  readonly sizeErrorPx: { readonly width: number; readonly height: number } | null;
}

export interface ClassSizeMetrics {
  readonly classId: number;
  readonly className: string;
  readonly buckets: readonly SizeBucketMetrics[];
}

/**
 * Longer side of a box, pixels, to a thousandth: a YOLO label stores sizes as
 * fractions of the image, and a 3 px box of a 640 px frame comes back as
 * 2.9999999, which would put it in the bucket below an edge at 3.
 */
export function longerSide(b: Xyxy): number {
  return Math.round(Math.max(b[2] - b[0], b[3] - b[1]) * 1000) / 1000;
}

/**
 * Per class, one entry per bucket of `edgesPx` (strictly increasing, > 0):
 * [0, e0), [e0, e1), …, [eN, ∞).
 *
 * @example
 * const bySize = evaluateBySize(images, ['fire', 'smoke', 'person'], [3, 4, 8]);
 * bySize[2].buckets[0]; // persons under 3 px: AP50, recall, found, size error
 */
export function evaluateBySize(
  images: readonly EvalImage[],
  classNames: readonly string[],
  edgesPx: readonly number[],
  options: EvalMetricOptions = {},
): ClassSizeMetrics[] {
  assertEdges(edgesPx);
  const maxDets = options.maxDetectionsPerClass ?? 100;
  const operating = options.operatingScore ?? ((): number => 0.25);
  const ranges = [0, ...edgesPx].map((lo, i) => ({ lo, hi: edgesPx[i] ?? null }));
  return classNames.map((className, classId) => {
    const minScore = operating(classId);
    const buckets = ranges.map(({ lo, hi }): SizeBucketMetrics => {
      const inRange = (b: Xyxy): boolean => longerSide(b) >= lo && (hi === null || longerSide(b) < hi);
      const scores: number[] = [];
      const tp: boolean[] = [];
      let objects = 0;
      let hits = 0;
      let found = 0;
      let dw = 0;
      let dh = 0;
      for (const img of images) {
        const truth = img.truth.filter((t) => t.classId === classId).map((t) => t.box);
        const ignored = truth.map((b) => !inRange(b));
        const dets = rankedDetections(img, classId, maxDets);
        const outcome = matchIgnoring(
          dets.map((d) => d.box),
          truth,
          ignored,
        );
        dets.forEach((d, k) => {
          const o = outcome[k] as Outcome;
          if (o === 'ignore' || (o === 'miss' && !inRange(d.box))) return;
          scores.push(d.score);
          tp.push(o === 'hit');
        });
        // Recall, found and size error at the operating point, object by object (best overlap, any detection).
        const operatingBoxes = dets.filter((d) => d.score >= minScore).map((d) => d.box);
        truth.forEach((g, j) => {
          if (ignored[j] === true) return;
          objects++;
          let best = 0;
          let bestBox: Xyxy | undefined;
          for (const b of operatingBoxes) {
            const iou = iouXyxy(b, g);
            if (iou > best) {
              best = iou;
              bestBox = b;
            }
          }
          if (bestBox === undefined || best < FOUND_IOU) return;
          found++;
          if (best >= HIT_IOU) hits++;
          dw += bestBox[2] - bestBox[0] - (g[2] - g[0]);
          dh += bestBox[3] - bestBox[1] - (g[3] - g[1]);
        });
      }
      return {
        minPx: lo,
        maxPx: hi,
        objects,
        ap50: averagePrecision(scores, tp, objects),
        recall: objects === 0 ? null : hits / objects,
        found: objects === 0 ? null : found / objects,
        sizeErrorPx: found === 0 ? null : { width: dw / found, height: dh / found },
      };
    });
    return { classId, className, buckets };
  });
}

type Outcome = 'hit' | 'miss' | 'ignore';

/**
 * COCO's greedy match with ignored objects (detections sorted best first):
 * each detection takes the unmatched object it overlaps most at IoU 0.5 or
 * more, an object in range before an ignored one; one that takes an ignored
 * object is itself ignored.
 */
function matchIgnoring(detections: readonly Xyxy[], truth: readonly Xyxy[], ignored: readonly boolean[]): Outcome[] {
  const taken = new Array<boolean>(truth.length).fill(false);
  // Objects in range first, as COCO sorts its ground truth by its ignore flag.
  const order = truth.map((_, j) => j).sort((a, b) => Number(ignored[a]) - Number(ignored[b]) || a - b);
  return detections.map((d) => {
    let best = -1;
    let bestIou = Math.min(HIT_IOU, 1 - 1e-10);
    for (const j of order) {
      if (taken[j] === true) continue;
      // Matched an object in range already: an ignored one cannot replace it.
      if (best >= 0 && ignored[best] !== true && ignored[j] === true) break;
      const iou = iouXyxy(d, truth[j] as Xyxy);
      if (iou < bestIou) continue;
      bestIou = iou;
      best = j;
    }
    if (best < 0) return 'miss';
    taken[best] = true;
    return ignored[best] === true ? 'ignore' : 'hit';
  });
}

/** True when `edges` are not all finite, positive and strictly increasing (the CLI and `evaluateBySize` share this rule). */
export function badSizeEdges(edges: readonly number[]): boolean {
  return edges.some((e, i) => !Number.isFinite(e) || e <= 0 || (i > 0 && e <= (edges[i - 1] as number)));
}

function assertEdges(edges: readonly number[]): void {
  if (badSizeEdges(edges))
    throw new RangeError(`size edges must be positive and strictly increasing, got [${edges.join(', ')}]`);
}
