/**
 * Greedy non-maximum suppression on typed arrays. Per class by default
 * (a person never suppresses a bus), each class with its own IoU threshold.
 * No object per box: indices, areas and flags live in scratch arrays that
 * grow ×2 and are reused across frames.
 */

export interface NmsOptions {
  /** Drop a box overlapping a kept box of its class by more than this IoU (0..1). */
  readonly iouThreshold: number;
  /** IoU threshold per class id; ids past its end use `iouThreshold`. */
  readonly classIouThreshold?: Float32Array | undefined;
  /** true: boxes suppress each other whatever their class. */
  readonly classAgnostic: boolean;
  /** Stop after this many kept boxes. */
  readonly maxDetections: number;
}

export class NmsScratch {
  order = new Uint32Array(0);
  areas = new Float32Array(0);
  suppressed = new Uint8Array(0);
  /** Kept candidate indices, best first; valid up to the count `nms()` returned. */
  keep = new Uint32Array(0);

  ensure(n: number): void {
    if (this.order.length >= n) return;
    const cap = Math.max(n, this.order.length * 2, 64);
    this.order = new Uint32Array(cap);
    this.areas = new Float32Array(cap);
    this.suppressed = new Uint8Array(cap);
    this.keep = new Uint32Array(cap);
  }
}

/**
 * Runs NMS over the first `count` candidates (`boxes` as x1 y1 x2 y2).
 * Writes kept indices, highest score first, to `scratch.keep` and returns how many.
 */
export function nms(
  boxes: Float32Array,
  scores: Float32Array,
  classes: Int32Array,
  count: number,
  options: NmsOptions,
  scratch: NmsScratch,
): number {
  scratch.ensure(count);
  const { areas, suppressed, keep } = scratch;
  const order = scratch.order.subarray(0, count);
  for (let i = 0; i < count; i++) {
    order[i] = i;
    const b = i * 4;
    areas[i] =
      Math.max(0, (boxes[b + 2] ?? 0) - (boxes[b] ?? 0)) * Math.max(0, (boxes[b + 3] ?? 0) - (boxes[b + 1] ?? 0));
  }
  suppressed.fill(0, 0, count);
  // Typed-array sort: one comparator closure per frame, no boxed entries.
  order.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));

  const classIou = options.classIouThreshold;
  const agnostic = options.classAgnostic;
  let kept = 0;
  for (let oi = 0; oi < count && kept < options.maxDetections; oi++) {
    const i = order[oi] ?? 0;
    if (suppressed[i] === 1) continue;
    keep[kept++] = i;
    const ci = classes[i] ?? 0;
    const thr =
      classIou !== undefined && ci < classIou.length ? (classIou[ci] ?? options.iouThreshold) : options.iouThreshold;
    const bi = i * 4;
    const ix1 = boxes[bi] ?? 0;
    const iy1 = boxes[bi + 1] ?? 0;
    const ix2 = boxes[bi + 2] ?? 0;
    const iy2 = boxes[bi + 3] ?? 0;
    const ia = areas[i] ?? 0;
    for (let oj = oi + 1; oj < count; oj++) {
      const j = order[oj] ?? 0;
      if (suppressed[j] === 1) continue;
      if (!agnostic && classes[j] !== ci) continue;
      const bj = j * 4;
      const w = Math.min(ix2, boxes[bj + 2] ?? 0) - Math.max(ix1, boxes[bj] ?? 0);
      if (w <= 0) continue;
      const h = Math.min(iy2, boxes[bj + 3] ?? 0) - Math.max(iy1, boxes[bj + 1] ?? 0);
      if (h <= 0) continue;
      const inter = w * h;
      // inter / union > thr, without the division.
      if (inter > thr * (ia + (areas[j] ?? 0) - inter)) suppressed[j] = 1;
    }
  }
  return kept;
}

/** Intersection over union of two xyxy boxes. */
export function iou(
  ax1: number,
  ay1: number,
  ax2: number,
  ay2: number,
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
): number {
  const w = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const h = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}
