/**
 * Input hygiene: what a real robot sends includes NaN latitudes, covariances
 * that are not covariances and clocks that jump. Each check returns the
 * reason a message is refused, or undefined; the caller counts reasons per
 * sensor so an operator can see which sensor lies and how.
 */
export type RejectReason = 'non_finite' | 'bad_covariance' | 'future' | 'too_old' | 'no_fix' | 'impossible';

export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/**
 * A covariance is usable when it is finite, symmetric (within rounding), has a
 * non-negative diagonal, and is positive semi-definite: checked by a Cholesky
 * factorisation with a small diagonal load, so a zero variance (a "perfect"
 * sensor, common in drivers) passes while an indefinite matrix fails.
 */
export function isUsableCovariance(cov: ArrayLike<number>, m: number): boolean {
  if (cov.length !== m * m || !allFinite(cov)) return false;
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const v = cov[i * m + j] as number;
      const t = cov[j * m + i] as number;
      if (Math.abs(v - t) > 1e-9 * Math.max(1, Math.abs(v), Math.abs(t))) return false;
      a[i * m + j] = v;
    }
    if ((a[i * m + i] as number) < 0) return false;
    a[i * m + i] = (a[i * m + i] as number) + 1e-9;
  }
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j] as number;
    for (let k = 0; k < j; k++) d -= (a[j * m + k] as number) ** 2;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j] as number;
      for (let k = 0; k < j; k++) s -= (a[i * m + k] as number) * (a[j * m + k] as number);
      a[i * m + j] = s / l;
    }
  }
  return true;
}

export interface TimeWindow {
  /** Messages stamped later than now + this are from a clock that runs ahead. */
  readonly futureToleranceMs: number;
  /** Messages older than now − this cannot be fused any more. */
  readonly maxAgeMs: number;
}

export function checkStamp(stampMs: number, nowMs: number, w: TimeWindow): RejectReason | undefined {
  if (!Number.isFinite(stampMs)) return 'non_finite';
  if (stampMs > nowMs + w.futureToleranceMs) return 'future';
  if (stampMs < nowMs - w.maxAgeMs) return 'too_old';
  return undefined;
}

/** Counts rejections per sensor and reason. */
export class RejectionCounter {
  private readonly counts = new Map<string, Map<RejectReason, number>>();

  add(sensor: string, reason: RejectReason): void {
    let bySensor = this.counts.get(sensor);
    if (bySensor === undefined) {
      bySensor = new Map();
      this.counts.set(sensor, bySensor);
    }
    bySensor.set(reason, (bySensor.get(reason) ?? 0) + 1);
  }

  get(sensor: string, reason: RejectReason): number {
    return this.counts.get(sensor)?.get(reason) ?? 0;
  }

  total(): number {
    let n = 0;
    for (const m of this.counts.values()) for (const c of m.values()) n += c;
    return n;
  }

  toJSON(): Record<string, Partial<Record<RejectReason, number>>> {
    const out: Record<string, Partial<Record<RejectReason, number>>> = {};
    for (const [sensor, m] of this.counts) out[sensor] = Object.fromEntries(m);
    return out;
  }
}
