/**
 * Detection metrics as COCO computes them (pycocotools `COCOeval.evaluate`
 * and `accumulate`), without crowd regions or area ranges: greedy matching
 * of score-sorted detections to ground truth at each IoU threshold, then
 * precision made monotone and sampled at 101 recall points. Pure: boxes in,
 * numbers out.
 */

/** A box as [x1, y1, x2, y2] in pixels. */
export type Xyxy = readonly [number, number, number, number];

export interface EvalBox {
  readonly classId: number;
  readonly box: Xyxy;
}

export interface EvalDetection extends EvalBox {
  /** 0..1. */
  readonly score: number;
}

/** What one image contributes: its labelled objects and the model's detections. */
export interface EvalImage {
  readonly truth: readonly EvalBox[];
  readonly detections: readonly EvalDetection[];
}

export interface ClassMetrics {
  readonly classId: number;
  readonly className: string;
  /** Labelled objects of this class. */
  readonly objects: number;
  /** Detections of this class (after the per-image cap). */
  readonly detections: number;
  /** At IoU 0.5 and the operating score threshold; null without detections there (precision) or objects (recall). */
  readonly precision: number | null;
  readonly recall: number | null;
  /** Null when the class has no labelled objects (COCO's -1). */
  readonly ap50: number | null;
  readonly ap75: number | null;
  readonly ap50to95: number | null;
}

export interface EvalMetrics {
  readonly classes: readonly ClassMetrics[];
  /** Means over classes with labelled objects. */
  readonly map50: number | null;
  readonly map50to95: number | null;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly images: number;
}

export interface EvalMetricOptions {
  /** Score from which a detection counts for precision/recall (the model's operating point), per class id. Default 0.25. */
  readonly operatingScore?: (classId: number) => number;
  /** Detections kept per image and class, best first (COCO maxDets). Default 100. */
  readonly maxDetectionsPerClass?: number;
}

/** 0.50, 0.55, …, 0.95: COCO's IoU thresholds. */
export const COCO_IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => 0.5 + 0.05 * i);
const RECALL_POINTS = 101;

export function iouXyxy(a: Xyxy, b: Xyxy): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Marks each detection (already sorted by score, best first) true positive or
 * not at one IoU threshold: each takes the unmatched object it overlaps most,
 * if that overlap reaches the threshold (COCO's greedy rule; a tie keeps the
 * first object).
 */
export function matchGreedy(detections: readonly Xyxy[], truth: readonly Xyxy[], iouThreshold: number): boolean[] {
  const taken = new Array<boolean>(truth.length).fill(false);
  return detections.map((d) => {
    let best = -1;
    // COCO starts from min(t, 1 - 1e-10) so a perfect overlap still matches at t = 1.
    let bestIou = Math.min(iouThreshold, 1 - 1e-10);
    truth.forEach((g, j) => {
      if (taken[j] === true) return;
      const iou = iouXyxy(d, g);
      if (iou >= bestIou) {
        bestIou = iou;
        best = j;
      }
    });
    if (best < 0) return false;
    taken[best] = true;
    return true;
  });
}

/**
 * AP from detections pooled over images: `scores` and `tp` side by side,
 * `objects` labelled in total. Sorts by score (stable, as COCO's mergesort),
 * makes precision non-increasing from the right, and averages it at recall
 * 0, 0.01, …, 1 (0 where that recall is never reached). Null without objects.
 */
export function averagePrecision(scores: readonly number[], tp: readonly boolean[], objects: number): number | null {
  if (objects === 0) return null;
  const order = scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const n = order.length;
  const recall = new Float64Array(n);
  const precision = new Float64Array(n);
  let tps = 0;
  for (let k = 0; k < n; k++) {
    if (tp[order[k] as number] === true) tps++;
    recall[k] = tps / objects;
    precision[k] = tps / (k + 1);
  }
  for (let k = n - 2; k >= 0; k--) precision[k] = Math.max(precision[k] as number, precision[k + 1] as number);
  let sum = 0;
  let k = 0;
  for (let r = 0; r < RECALL_POINTS; r++) {
    const at = r / (RECALL_POINTS - 1);
    // First index whose recall reaches `at` (np.searchsorted side='left').
    while (k < n && (recall[k] as number) < at) k++;
    if (k < n) sum += precision[k] as number;
  }
  return sum / RECALL_POINTS;
}

/** One image's detections of a class, best first (ties in input order, as COCO's stable sort), at most `maxDets`. */
export function rankedDetections(img: EvalImage, classId: number, maxDets: number): EvalDetection[] {
  return img.detections
    .filter((d) => d.classId === classId)
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .slice(0, maxDets)
    .map(({ d }) => d);
}

function mean(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
}

/**
 * Precision, recall and AP per class over a set of images.
 *
 * @example
 * const m = evaluateDetections(images, ['fire', 'smoke', 'person', 'vehicle']);
 * m.classes[0].ap50; // fire AP at IoU 0.5, 0..1
 */
export function evaluateDetections(
  images: readonly EvalImage[],
  classNames: readonly string[],
  options: EvalMetricOptions = {},
): EvalMetrics {
  const maxDets = options.maxDetectionsPerClass ?? 100;
  const operating = options.operatingScore ?? ((): number => 0.25);
  const classes: ClassMetrics[] = classNames.map((className, classId) => {
    const scores: number[] = [];
    const tpAt = COCO_IOU_THRESHOLDS.map(() => [] as boolean[]);
    let objects = 0;
    for (const img of images) {
      const truth = img.truth.filter((t) => t.classId === classId).map((t) => t.box);
      objects += truth.length;
      const dets = rankedDetections(img, classId, maxDets);
      const boxes = dets.map((d) => d.box);
      for (const d of dets) scores.push(d.score);
      COCO_IOU_THRESHOLDS.forEach((t, ti) => (tpAt[ti] as boolean[]).push(...matchGreedy(boxes, truth, t)));
    }
    const aps = tpAt.map((tp) => averagePrecision(scores, tp, objects));
    const minScore = operating(classId);
    const tp50 = tpAt[0] as boolean[];
    let kept = 0;
    let hits = 0;
    scores.forEach((s, i) => {
      if (s < minScore) return;
      kept++;
      if (tp50[i] === true) hits++;
    });
    return {
      classId,
      className,
      objects,
      detections: scores.length,
      precision: kept === 0 ? null : hits / kept,
      recall: objects === 0 ? null : hits / objects,
      ap50: aps[0] ?? null,
      ap75: aps[5] ?? null,
      ap50to95: objects === 0 ? null : mean(aps),
    };
  });
  const present = classes.filter((c) => c.objects > 0);
  return {
    classes,
    map50: mean(present.map((c) => c.ap50)),
    map50to95: mean(present.map((c) => c.ap50to95)),
    precision: mean(present.map((c) => c.precision)),
    recall: mean(present.map((c) => c.recall)),
    images: images.length,
  };
}
