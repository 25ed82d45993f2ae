/**
 * Small dense matrices on Float64Array, row-major, for the filter's hot path:
 * in place, nothing allocated. Sizes are at most 15x15 (the innovation
 * covariance is m x m, m <= 15), where plain loops beat a general library.
 */

/**
 * In-place Cholesky factorisation of a symmetric positive definite m x m
 * matrix (lower triangle, L Lᵀ = A). Returns false when A is not positive
 * definite, which the filter treats as a measurement it cannot use.
 */
export function cholesky(a: Float64Array, m: number): boolean {
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j] as number;
    for (let k = 0; k < j; k++) d -= (a[j * m + k] as number) ** 2;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j] as number;
      for (let k = 0; k < j; k++) s -= (a[i * m + k] as number) * (a[j * m + k] as number);
      a[i * m + j] = s / ljj;
    }
    for (let i = 0; i < j; i++) a[i * m + j] = 0;
  }
  return true;
}

/** Solves L Lᵀ x = b in place (b becomes x), with L from `cholesky`. */
export function choleskySolve(l: Float64Array, m: number, b: Float64Array): void {
  for (let i = 0; i < m; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * m + k] as number) * (b[k] as number);
    b[i] = s / (l[i * m + i] as number);
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i] as number;
    for (let k = i + 1; k < m; k++) s -= (l[k * m + i] as number) * (b[k] as number);
    b[i] = s / (l[i * m + i] as number);
  }
}
