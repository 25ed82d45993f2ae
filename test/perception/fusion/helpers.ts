/** Seeded randomness for fusion tests: mulberry32 + Box-Muller. */
export function rng(seed: number): { uniform: () => number; gauss: (sigma: number) => number } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = (sigma: number): number => {
    const u = Math.max(uniform(), 1e-12);
    const v = uniform();
    return sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return { uniform, gauss };
}

export function isSymmetricPositiveDefinite(P: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = P[i * n + j]!;
      const b = P[j * n + i]!;
      if (!Number.isFinite(a) || Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a))) return false;
    }
  }
  const a = Float64Array.from(P);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! ** 2;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / l;
    }
  }
  return true;
}
