/**
 * Language-model benchmark, both backends, each against bare generation of
 * the same model in the same run:
 * - tokens/s of plan-constrained generation vs unconstrained greedy
 *   generation of as many tokens (`generateBare`): what the schema
 *   constraint costs;
 * - request-to-guarded-plan latency (model, parse, zone resolution and the
 *   guard's dry run) p50/p99 vs the bare generation time of the same number
 *   of tokens: what tasking adds around the model.
 * - the same ONNX model in a host process (`isolation: process`, the gguf
 *   default) against the runtime's process, requests interleaved: what the
 *   crash isolation costs a request, and the host's resident memory.
 * ONNX: Kestrel's tuned tasking model (models/kestrel-tasking.yaml) on the
 * firefighting mission's held-out requests. GGUF: the random-weight llama in
 * ../shared/reference/llm (skipped without ../shared): its output is noise,
 * so it measures the machinery, not the plans.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLanguageManifest, loadLanguageModel, type LanguageModel } from '../../language/index.js';
import { IsolatedLanguageModel } from '../../language/isolated.js';
import { loadMissionFile, type Mission } from '../../missions/index.js';
import { createLogger } from '../../runtime/index.js';
import { manifestFor, readTaskingExamples, TaskingPlanner, homeStart } from '../../tasking/index.js';
import { entry, median, packageRoot, percentile } from '../harness.js';
import type { BenchContext, BenchEntry } from '../harness.js';

const SUITE = 'llm';
const TARGET_P99_MS = 1000;
const REQUESTS = 40;

interface Sample {
  constrainedTps: number;
  bareTps: number;
  planMs: number;
  bareMs: number;
}

async function measure(
  model: LanguageModel,
  mission: Mission,
  requests: readonly string[],
  repeats: number,
): Promise<Sample[]> {
  const logger = createLogger({ level: 'silent' });
  const planner = new TaskingPlanner({ mission, model, logger, timeBudgetMs: 30_000 });
  const start = homeStart(mission);
  // Warm-up: first-call costs (allocation, grammar build) are not what an operator waits for twice.
  await planner.plan(requests[0] ?? 'hold', start, Date.now());
  const samples: Sample[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const request of requests) {
      const t0 = performance.now();
      const answer = await planner.plan(request, start, Date.now());
      const planMs = performance.now() - t0;
      const tokens = Math.max(1, answer.latency?.tokens ?? 1);
      const bare = await model.generateBare({
        prompt: request,
        maxTokens: tokens,
        ignoreEos: true,
        timeBudgetMs: 30_000,
      });
      samples.push({
        constrainedTps: answer.latency?.tokensPerSecond ?? 0,
        bareTps: bare.tokensPerSecond,
        planMs,
        bareMs: bare.durationMs,
      });
    }
  }
  return samples;
}

function entries(backend: string, reference: string, samples: readonly Sample[]): BenchEntry[] {
  const plan = samples.map((s) => s.planMs).sort((a, b) => a - b);
  const bare = samples.map((s) => s.bareMs).sort((a, b) => a - b);
  const bareTps = median(samples.map((s) => s.bareTps));
  return [
    entry({
      suite: SUITE,
      metric: `${backend} constrained tokens/s`,
      value: median(samples.map((s) => s.constrainedTps)),
      unit: 'tok/s',
      reference: { name: `${reference}: bare greedy generation, same model, same run`, value: bareTps },
    }),
    entry({
      suite: SUITE,
      metric: `${backend} request-to-guarded-plan p50`,
      value: percentile(plan, 50),
      unit: 'ms',
      reference: { name: `${reference}: bare generation of as many tokens, p50`, value: percentile(bare, 50) },
    }),
    entry({
      suite: SUITE,
      metric: `${backend} request-to-guarded-plan p99`,
      value: percentile(plan, 99),
      unit: 'ms',
      reference: { name: `${reference}: bare generation of as many tokens, p99`, value: percentile(bare, 99) },
      target: { op: '<', value: TARGET_P99_MS },
    }),
  ];
}

/** Request-to-guarded-plan time of one model in the runtime's process and in a host process, interleaved. */
async function isolationCost(
  inProcess: LanguageModel,
  isolated: LanguageModel,
  mission: Mission,
  requests: readonly string[],
  repeats: number,
): Promise<{ inProcessMs: number[]; isolatedMs: number[] }> {
  const logger = createLogger({ level: 'silent' });
  const a = new TaskingPlanner({ mission, model: inProcess, logger, timeBudgetMs: 30_000 });
  const b = new TaskingPlanner({ mission, model: isolated, logger, timeBudgetMs: 30_000 });
  const start = homeStart(mission);
  await a.plan(requests[0] ?? 'hold', start, Date.now());
  await b.plan(requests[0] ?? 'hold', start, Date.now());
  const inProcessMs: number[] = [];
  const isolatedMs: number[] = [];
  let i = 0;
  for (let r = 0; r < repeats; r++) {
    for (const request of requests) {
      // Alternate which goes first, so neither always runs on a cache the other warmed.
      const order = i++ % 2 === 0 ? ([a, b] as const) : ([b, a] as const);
      for (const planner of order) {
        const t0 = performance.now();
        await planner.plan(request, start, Date.now());
        (planner === a ? inProcessMs : isolatedMs).push(performance.now() - t0);
      }
    }
  }
  return { inProcessMs: inProcessMs.sort((x, y) => x - y), isolatedMs: isolatedMs.sort((x, y) => x - y) };
}

/** Resident memory of a process, MB (Linux /proc), or undefined elsewhere. */
function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined;
  }
}

async function isolationEntries(
  backend: string,
  inProcess: LanguageModel,
  isolated: LanguageModel,
  mission: Mission,
  requests: readonly string[],
  repeats: number,
): Promise<BenchEntry[]> {
  const cost = await isolationCost(inProcess, isolated, mission, requests, repeats);
  const out = [
    entry({
      suite: SUITE,
      metric: `${backend} request-to-guarded-plan p50, model in a host process`,
      value: percentile(cost.isolatedMs, 50),
      unit: 'ms',
      reference: {
        name: "same model in the runtime's process, interleaved, p50",
        value: percentile(cost.inProcessMs, 50),
      },
    }),
    entry({
      suite: SUITE,
      metric: `${backend} request-to-guarded-plan p99, model in a host process`,
      value: percentile(cost.isolatedMs, 99),
      unit: 'ms',
      reference: {
        name: "same model in the runtime's process, interleaved, p99",
        value: percentile(cost.inProcessMs, 99),
      },
    }),
  ];
  const pid = isolated instanceof IsolatedLanguageModel ? isolated.pid : undefined;
  const rss = pid === undefined ? undefined : rssMb(pid);
  if (rss !== undefined) {
    out.push(entry({ suite: SUITE, metric: `${backend} host process resident memory`, value: rss, unit: 'MB' }));
  }
  return out;
}

export async function llmSuite(ctx: BenchContext): Promise<BenchEntry[]> {
  const root = packageRoot();
  const logger = createLogger({ level: 'silent' });
  const { mission } = await loadMissionFile(join(root, 'missions/examples/firefighting-drone.yaml'));
  const out: BenchEntry[] = [];
  // Fewer passes than other suites: each pass is REQUESTS full generations.
  const repeats = Math.max(1, Math.round(ctx.repeats / 5));

  const tuned = join(root, 'models/kestrel-tasking.yaml');
  const heldOut = join(root, 'test/fixtures/tasking/firefighting-heldout.jsonl');
  const manifest = existsSync(tuned) ? tuned : join(root, 'test/fixtures/language/model.yaml');
  const requests = existsSync(heldOut)
    ? (await readTaskingExamples(heldOut)).slice(0, REQUESTS).map((e) => e.request)
    : ['search the east sector for fires at 40 metres', 'come home', 'hold position'];
  const onnx = await loadLanguageModel(await loadLanguageManifest(manifest), { logger });
  try {
    out.push(
      ...entries(
        'onnx-lm',
        manifest.endsWith('kestrel-tasking.yaml') ? 'kestrel-tasking' : 'tiny fixture LM',
        await measure(onnx, mission, requests, repeats),
      ),
    );
    const isolated = await loadLanguageModel(
      { ...(await loadLanguageManifest(manifest)), isolation: 'process' },
      { logger },
    );
    try {
      out.push(...(await isolationEntries('onnx-lm', onnx, isolated, mission, requests.slice(0, 20), repeats)));
    } finally {
      await isolated.close();
    }
  } finally {
    await onnx.close();
  }

  const gguf = ctx.sharedDir === undefined ? undefined : join(ctx.sharedDir, 'reference/llm/llama-2-tiny-random.gguf');
  if (gguf !== undefined && existsSync(gguf)) {
    // The default for gguf: the model in a host process.
    const model = await loadLanguageModel(await manifestFor(gguf), { logger });
    const inProcess = await loadLanguageModel({ ...(await manifestFor(gguf)), isolation: 'none' }, { logger });
    try {
      out.push(
        ...entries('gguf', 'llama-2-tiny-random (cpu)', await measure(model, mission, requests.slice(0, 10), repeats)),
        ...(await isolationEntries('gguf', inProcess, model, mission, requests.slice(0, 10), repeats)),
      );
    } finally {
      await Promise.all([model.close(), inProcess.close()]);
    }
  } else {
    process.stderr.write('llm: gguf skipped (no ../shared/reference/llm/llama-2-tiny-random.gguf)\n');
  }
  return out;
}
