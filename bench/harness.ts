/**
 * Shared pieces of `npm run bench`: statistics, gc between samples, memory
 * readings, result files and the printed table. Every suite measures against a
 * named reference in the same run and asserts its work was done, so a figure
 * that looks too good is a failed benchmark, not a fast one.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured figure. `ratio` is value / reference value; `met` says whether `target` holds. */
export interface BenchEntry {
  suite: string;
  metric: string;
  value: number;
  unit: string;
  reference: string | null;
  ratio: number | null;
  target: string | null;
  met: boolean | null;
}

/** What `main` hands each suite. */
export interface BenchContext {
  /** A folder with large shared inputs (models, bags), when this checkout has one. */
  readonly sharedDir: string | undefined;
  /** Samples per metric; each suite reports the median over them. At least 5. */
  readonly repeats: number;
}

export type Suite = (ctx: BenchContext) => Promise<BenchEntry[]>;

/** A target such as `>= 1000000` msg/s or `< 5` µs. */
export interface Target {
  readonly op: '>=' | '>' | '<=' | '<';
  readonly value: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return percentile(sorted, 50);
}

/**
 * The p-th percentile (0..100) of values already sorted ascending, linearly
 * interpolated between the two nearest ranks.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}`);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

/** True when node runs with `--expose-gc` (main re-executes itself with it). */
export function gcAvailable(): boolean {
  return typeof globalThis.gc === 'function';
}

/**
 * Collects garbage so one sample's leftovers are not charged to the next.
 * Twice: the first pass can leave objects that only become unreachable after finalisers ran.
 */
export function gc(): void {
  const collect = globalThis.gc;
  if (collect === undefined) return;
  collect();
  collect();
}

export function heapUsedBytes(): number {
  return process.memoryUsage().heapUsed;
}

export const MIB = 1024 * 1024;

export function checkTarget(value: number, target: Target): boolean {
  switch (target.op) {
    case '>=':
      return value >= target.value;
    case '>':
      return value > target.value;
    case '<=':
      return value <= target.value;
    case '<':
      return value < target.value;
  }
}

/** Builds an entry, filling `ratio`, `target` and `met` from what is given. */
export function entry(fields: {
  suite: string;
  metric: string;
  value: number;
  unit: string;
  reference?: { name: string; value: number };
  target?: Target;
}): BenchEntry {
  const { suite, metric, value, unit, reference, target } = fields;
  return {
    suite,
    metric,
    value,
    unit,
    reference: reference?.name ?? null,
    ratio: reference === undefined || reference.value === 0 ? null : value / reference.value,
    target: target === undefined ? null : `${target.op} ${target.value} ${unit}`,
    met: target === undefined ? null : checkTarget(value, target),
  };
}

/** Throws when a benchmark did not do the work it claims to have timed. */
export function assertWork(what: string, actual: number, expected: number): void {
  if (actual !== expected)
    throw new Error(`benchmark did not do its work: ${what} was ${actual}, expected ${expected}`);
}

/** The package root: the nearest folder above this file with a package.json (works from bench/ and dist/bench/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Writes `bench/results/<suite>.json` (an array of entries) and returns its path. */
export async function writeResults(suite: string, entries: readonly BenchEntry[]): Promise<string> {
  const dir = join(packageRoot(), 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${suite}.json`);
  await writeFile(path, `${JSON.stringify(entries, null, 2)}\n`, 'utf8');
  return path;
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** Prints a short aligned table: metric, value, unit, ratio vs reference, target, met. */
export function printTable(entries: readonly BenchEntry[], out: NodeJS.WritableStream = process.stdout): void {
  const header = ['suite', 'metric', 'value', 'unit', 'vs ref', 'target', 'met'];
  const rows = entries.map((e) => [
    e.suite,
    e.metric,
    formatValue(e.value),
    e.unit,
    e.ratio === null ? '-' : `${e.ratio.toFixed(2)}x`,
    e.target ?? '-',
    e.met === null ? '-' : e.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Numbers and ratios read best right-aligned.
  const right = new Set([2, 4]);
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  out.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) out.write(`${line(r)}\n`);
  const references = [...new Set(entries.flatMap((e) => (e.reference === null ? [] : [e.reference])))];
  for (const r of references) out.write(`vs ref = value / (${r})\n`);
}
