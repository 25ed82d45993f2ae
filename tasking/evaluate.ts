import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { nearestRank } from '../runtime/index.js';
import { TaskingError } from './errors.js';
import { PLAN_KEYS, canonicalPlanText, planSchema, type Plan } from './plan.js';
import type { DryRunStart } from './dry-run.js';
import type { TaskingAnswer, TaskingPlanner } from './planner.js';

export interface TaskingExample {
  readonly request: string;
  readonly plan: Plan;
}

const exampleSchema = z.strictObject({ request: z.string().min(1), plan: planSchema });

/** Reads `{request, plan}` lines; a bad line is an error naming its line number and field. */
export async function readTaskingExamples(file: string): Promise<TaskingExample[]> {
  const text = await readFile(file, 'utf8');
  const out: TaskingExample[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new TaskingError('tasking.data_invalid', `${file}:${i + 1}: not JSON (${(error as Error).message})`);
    }
    const parsed = exampleSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TaskingError(
        'tasking.data_invalid',
        `${file}:${i + 1}: ${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    out.push(parsed.data);
  }
  if (out.length === 0) throw new TaskingError('tasking.data_invalid', `${file}: no examples`);
  return out;
}

export interface TaskingEvalReport {
  readonly examples: number;
  /** Output plan equal to the expected one, field for field. */
  readonly exactPlanAccuracy: number;
  /** Per plan key: the output has the expected value (or, like the expected plan, leaves it out). */
  readonly fieldAccuracy: Readonly<Record<string, number>>;
  /** Outputs that are not a plan at all (timeout, out of tokens, unparseable). */
  readonly invalidOutputRate: number;
  readonly invalidOutputs: number;
  /** Valid plans that the mission refused (unknown zone) or the guard denied. */
  readonly rejected: number;
  readonly proposed: number;
  readonly refused: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly modelLatencyMs: { readonly p50: number; readonly p99: number };
  readonly tokensPerSecond: number;
  readonly failures: readonly {
    readonly request: string;
    readonly expected: string;
    readonly got: string;
    readonly status: string;
  }[];
}

/**
 * Scores a planner on labelled requests: exact plans, per-field accuracy,
 * invalid outputs, rejections and latency. The same code scores Kestrel's
 * tuned model and any model an operator brings.
 */
export async function evaluateTasking(
  planner: TaskingPlanner,
  examples: readonly TaskingExample[],
  start: DryRunStart,
  nowMs: number,
  onProgress?: (done: number, total: number) => void,
): Promise<TaskingEvalReport> {
  const answers: TaskingAnswer[] = [];
  for (const [i, ex] of examples.entries()) {
    answers.push(await planner.plan(ex.request, start, nowMs, `eval-${i + 1}`));
    onProgress?.(i + 1, examples.length);
  }
  let exact = 0;
  const fieldHits: Record<string, number> = Object.fromEntries(PLAN_KEYS.map((k) => [k, 0]));
  const failures: { request: string; expected: string; got: string; status: string }[] = [];
  let invalid = 0;
  let tokens = 0;
  let modelMs = 0;
  examples.forEach((ex, i) => {
    const a = answers[i] as TaskingAnswer;
    if (a.status === 'failed') invalid++;
    tokens += a.latency?.tokens ?? 0;
    modelMs += a.latency?.modelMs ?? 0;
    const expected = canonicalPlanText(ex.plan);
    const got = a.plan === undefined ? (a.output ?? '') : canonicalPlanText(a.plan);
    if (a.plan !== undefined && got === expected) exact++;
    else failures.push({ request: ex.request, expected, got, status: a.status });
    for (const key of PLAN_KEYS) {
      if (a.plan !== undefined && JSON.stringify(a.plan[key]) === JSON.stringify(ex.plan[key])) {
        fieldHits[key] = (fieldHits[key] ?? 0) + 1;
      }
    }
  });
  const n = examples.length;
  const total = answers.map((a) => a.latency?.totalMs ?? 0).sort((x, y) => x - y);
  const model = answers.map((a) => a.latency?.modelMs ?? 0).sort((x, y) => x - y);
  return {
    examples: n,
    exactPlanAccuracy: exact / n,
    fieldAccuracy: Object.fromEntries(PLAN_KEYS.map((k) => [k, (fieldHits[k] ?? 0) / n])),
    invalidOutputRate: invalid / n,
    invalidOutputs: invalid,
    rejected: answers.filter((a) => a.status === 'rejected').length,
    proposed: answers.filter((a) => a.status === 'proposed').length,
    refused: answers.filter((a) => a.status === 'refused').length,
    latencyMs: { p50: nearestRank(total, 0.5), p99: nearestRank(total, 0.99), max: total.at(-1) ?? 0 },
    modelLatencyMs: { p50: nearestRank(model, 0.5), p99: nearestRank(model, 0.99) },
    tokensPerSecond: modelMs > 0 ? (tokens / modelMs) * 1000 : 0,
    failures,
  };
}
