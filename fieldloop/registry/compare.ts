/**
 * The promotion rule, pure: a candidate replaces the current model only if it
 * beats it on the chosen metric over the whole split, and no class loses more
 * than `tolerance` on that metric.
 */
import type { ClassMetrics, EvalMetrics } from '../../perception/index.js';

export const PROMOTION_METRICS = ['map50', 'map50to95', 'precision', 'recall'] as const;
export type PromotionMetric = (typeof PROMOTION_METRICS)[number];

/** The per-class field that goes with each overall metric. */
const CLASS_FIELD = {
  map50: 'ap50',
  map50to95: 'ap50to95',
  precision: 'precision',
  recall: 'recall',
} as const satisfies Record<PromotionMetric, keyof ClassMetrics>;

/** Float noise allowance, so 0.1 + 0.2 vs 0.3 never decides a promotion. */
const EPS = 1e-9;

export interface ClassComparison {
  readonly className: string;
  readonly objects: number;
  readonly current: number | null;
  readonly candidate: number | null;
  /** candidate − current; null when either has no value. */
  readonly delta: number | null;
  /** Lost more than the tolerance. */
  readonly regressed: boolean;
}

export interface PromotionComparison {
  readonly metric: PromotionMetric;
  readonly tolerance: number;
  readonly minGain: number;
  /** Undefined when there is no current model (the first promotion). */
  readonly current: number | null | undefined;
  readonly candidate: number | null;
  readonly beats: boolean;
  readonly classes: readonly ClassComparison[];
  readonly regressions: readonly string[];
  readonly promote: boolean;
  readonly reason: string;
}

export interface CompareOptions {
  readonly metric: PromotionMetric;
  /** Largest loss one class may take on the metric (0..1). */
  readonly tolerance: number;
  /** The candidate must beat the current model by more than this. Default 0 (strictly better). */
  readonly minGain?: number;
}

/**
 * @example
 * const c = compareForPromotion(candidate.metrics, current.metrics, { metric: 'map50', tolerance: 0.02 });
 * if (!c.promote) console.log(c.reason);
 */
export function compareForPromotion(
  candidate: EvalMetrics,
  current: EvalMetrics | undefined,
  options: CompareOptions,
): PromotionComparison {
  const { metric, tolerance } = options;
  const minGain = options.minGain ?? 0;
  const field = CLASS_FIELD[metric];
  const cand = candidate[metric];
  if (current === undefined) {
    const promote = cand !== null;
    return {
      metric,
      tolerance,
      minGain,
      current: undefined,
      candidate: cand,
      beats: promote,
      classes: candidate.classes.map((c) => ({
        className: c.className,
        objects: c.objects,
        current: null,
        candidate: c[field],
        delta: null,
        regressed: false,
      })),
      regressions: [],
      promote,
      reason: promote
        ? `no current model: the candidate is the first promoted (${metric} ${fmt(cand)})`
        : `the candidate has no ${metric} on this split (no labelled objects)`,
    };
  }
  const cur = current[metric];
  const currentByName = new Map(current.classes.map((c) => [c.className, c]));
  const classes: ClassComparison[] = candidate.classes.map((c) => {
    const before = currentByName.get(c.className)?.[field] ?? null;
    const after = c[field];
    const delta = before === null || after === null ? null : after - before;
    // A class the current model scored and the candidate cannot (no detections at all) lost everything.
    const regressed = before !== null && (after ?? 0) < before - tolerance - EPS;
    return { className: c.className, objects: c.objects, current: before, candidate: after, delta, regressed };
  });
  const regressions = classes.filter((c) => c.regressed).map((c) => c.className);
  const beats = cand !== null && (cur === null || cand > cur + minGain + EPS);
  const promote = beats && regressions.length === 0;
  let reason: string;
  if (!beats) {
    reason = `the candidate does not beat the current model on ${metric}: ${fmt(cand)} vs ${fmt(cur)}${minGain > 0 ? ` (needs more than +${minGain})` : ''}`;
  } else if (regressions.length > 0) {
    reason = `the candidate beats the current model on ${metric} (${fmt(cand)} vs ${fmt(cur)}) but regresses ${regressions.join(', ')} by more than ${tolerance}`;
  } else {
    reason = `the candidate beats the current model on ${metric} (${fmt(cand)} vs ${fmt(cur)}) and no class loses more than ${tolerance}`;
  }
  return { metric, tolerance, minGain, current: cur, candidate: cand, beats, classes, regressions, promote, reason };
}

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : v.toFixed(3);
}

/** The per-class table, one row per class, regressions flagged. */
export function renderComparison(c: PromotionComparison): string {
  const width = Math.max(5, ...c.classes.map((k) => k.className.length));
  const lines = [
    `${'class'.padEnd(width)}  objects  current  candidate   delta`,
    ...c.classes.map(
      (k) =>
        `${k.className.padEnd(width)}  ${String(k.objects).padStart(7)}  ${fmt(k.current).padStart(7)}  ${fmt(k.candidate).padStart(9)}  ${(k.delta === null ? '-' : (k.delta >= 0 ? '+' : '') + k.delta.toFixed(3)).padStart(6)}${k.regressed ? '  REGRESSED' : ''}`,
    ),
    `${'all'.padEnd(width)}  ${' '.repeat(7)}  ${fmt(c.current).padStart(7)}  ${fmt(c.candidate).padStart(9)}`,
    `${c.promote ? 'promote' : 'refuse'}: ${c.reason}`,
  ];
  return `${lines.join('\n')}\n`;
}
