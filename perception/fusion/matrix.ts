/**
 * Small dense matrices on Float64Array, row-major, written for the filter's
 * hot path: every function writes into a caller-owned output and allocates
 * nothing. Sizes are at most 15x15, where plain loops beat a general library.
 */

/** out = a (n x n) * b (n x n). `out` must not alias a or b. */
export function mulSquare(a: Float64Array, b: Float64Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < n; j++) out[ri + j] = 0;
    for (let k = 0; k < n; k++) {
      const aik = a[ri + k] as number;
      if (aik === 0) continue; // F is mostly identity and zeros: skip the empty terms.
      const rk = k * n;
      for (let j = 0; j < n; j++) out[ri + j] = (out[ri + j] as number) + aik * (b[rk + j] as number);
    }
  }
}

/** out = a (n x n) * bᵀ (n x n). `out` must not alias a or b. */
export function mulSquareTransposed(a: Float64Array, b: Float64Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < n; j++) {
      const rj = j * n;
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const bjk = b[rj + k] as number;
        if (bjk !== 0) sum += (a[ri + k] as number) * bjk;
      }
      out[ri + j] = sum;
    }
  }
}

/** Makes a square matrix exactly symmetric: rounding breaks symmetry a little every step. */
export function symmetrize(m: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = ((m[i * n + j] as number) + (m[j * n + i] as number)) / 2;
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  }
}

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
