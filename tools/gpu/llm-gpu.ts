/**
 * GPU check of the GGUF language-model path (dev tool, run on a CUDA box):
 * Kestrel's own `loadLanguageModel` + `generate` (plan-schema constrained)
 * and `generateBare` (the same model, no grammar) with all layers on the GPU
 * and with none, in one run, so the figures compare on one machine.
 *
 *   node llm-gpu.mjs <model.gguf> <out.json> [requests=20] [layers=max,0] [isolation=process|none]
 *
 * `layers` lists the GPU-layer settings to measure; 0 needs node-llama-cpp's
 * CPU build (@node-llama-cpp/linux-x64) beside the CUDA one. A setting whose
 * model fails (a host process that aborts on a CUDA error, say) is reported
 * with its error and the next setting still runs in this same process.
 *
 * Bundled for the device with tools/gpu/bundle.sh (node-llama-cpp stays
 * external; onnxruntime-node and sharp are not on that box and not used here).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { loadLanguageModel, sha256File, type LanguageModel } from './deps.js';
import { PLAN_JSON_SCHEMA } from '../../tasking/plan.js';
import { createLogger } from '../../runtime/logger.js';

const REQUESTS = [
  'search the east sector for fires at 40 metres',
  'patrol the ridge at 8 metres per second',
  'come home at 35 percent battery',
  'inspect the west block, fires first then people',
  'hold position',
];

interface Row {
  readonly device: string;
  readonly loadMs: number;
  /** The first request, warm-up: grammar build, and on a GPU the kernels' first load (PTX JIT where no cubin fits). */
  readonly firstRequestMs: number;
  readonly gpuLayers: number | undefined;
  readonly mode: 'constrained' | 'bare';
  readonly requests: number;
  readonly tokensPerSecondP50: number;
  readonly latencyMsP50: number;
  readonly latencyMsP99: number;
  readonly firstTokenMsP50: number;
  readonly tokensP50: number;
  readonly completeRate: number;
}

function pct(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

async function measure(model: LanguageModel, loadMs: number, n: number, mode: 'constrained' | 'bare'): Promise<Row> {
  const tps: number[] = [];
  const lat: number[] = [];
  const first: number[] = [];
  const toks: number[] = [];
  let complete = 0;
  // Warm-up: the first call builds the grammar and the CUDA graphs.
  const warmStart = performance.now();
  await model.generate({
    prompt: REQUESTS[0] as string,
    schema: PLAN_JSON_SCHEMA,
    maxTokens: 96,
    timeBudgetMs: 60_000,
  });
  const firstRequestMs = performance.now() - warmStart;
  for (let i = 0; i < n; i++) {
    const prompt = REQUESTS[i % REQUESTS.length] as string;
    const r =
      mode === 'constrained'
        ? await model.generate({ prompt, schema: PLAN_JSON_SCHEMA, maxTokens: 96, timeBudgetMs: 60_000 })
        : await model.generateBare({ prompt, maxTokens: 96, timeBudgetMs: 60_000, ignoreEos: true });
    tps.push(r.tokensPerSecond);
    lat.push(r.durationMs);
    first.push(r.firstTokenMs);
    toks.push(r.tokens);
    if (r.stopReason === 'complete' || r.stopReason === 'eos') complete++;
  }
  const s = (a: number[]): number[] => [...a].sort((x, y) => x - y);
  return {
    device: model.info.device,
    loadMs,
    firstRequestMs,
    gpuLayers: model.info.gpuLayers,
    mode,
    requests: n,
    tokensPerSecondP50: pct(s(tps), 0.5),
    latencyMsP50: pct(s(lat), 0.5),
    latencyMsP99: pct(s(lat), 0.99),
    firstTokenMsP50: pct(s(first), 0.5),
    tokensP50: pct(s(toks), 0.5),
    completeRate: complete / n,
  };
}

async function main(): Promise<void> {
  const [file, out, nArg, layersArg, isolationArg] = process.argv.slice(2);
  const isolation = isolationArg === 'none' ? 'none' : 'process';
  const failures: { gpuLayers: number | 'max'; error: string }[] = [];
  if (file === undefined || out === undefined) throw new Error('usage: llm-gpu.mjs <model.gguf> <out.json> [requests]');
  const n = Number(nArg ?? 20);
  const logger = createLogger({ level: 'info' });
  const sha256 = await sha256File(file);
  const threads = Math.max(1, Math.floor(os.availableParallelism() / 2));
  const rows: Row[] = [];
  const layers = (layersArg ?? 'max,0').split(',').map((l) => (l === 'max' ? 'max' : Number(l)));
  for (const gpuLayers of layers) {
    const started = performance.now();
    try {
      const model = await loadLanguageModel(
        {
          kind: 'language',
          backend: 'gguf',
          path: file,
          sha256,
          gpuLayers,
          threads,
          contextSize: 1024,
          maxTokens: 96,
          timeBudgetMs: 60_000,
          isolation,
        },
        { logger },
      );
      const loadMs = performance.now() - started;
      try {
        rows.push(await measure(model, loadMs, n, 'constrained'));
        rows.push(await measure(model, loadMs, n, 'bare'));
      } finally {
        await model.close();
      }
    } catch (error) {
      const text =
        error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
      failures.push({ gpuLayers, error: text });
      process.stdout.write(
        `layers=${String(gpuLayers)} failed (${text}); this process (pid ${process.pid}) carries on\n`,
      );
    }
  }
  const result = { model: file, sha256, threads, isolation, cpus: os.cpus()[0]?.model, rows, failures };
  writeFileSync(out, JSON.stringify(result, null, 2));
  for (const r of rows) {
    process.stdout.write(
      `${r.device.padEnd(6)} load ${r.loadMs.toFixed(0)} ms first ${r.firstRequestMs.toFixed(0)} ms layers=${String(r.gpuLayers).padEnd(4)} ${r.mode.padEnd(11)} ${r.tokensPerSecondP50.toFixed(0).padStart(6)} tok/s  p50 ${r.latencyMsP50.toFixed(1)} ms  p99 ${r.latencyMsP99.toFixed(1)} ms  first ${r.firstTokenMsP50.toFixed(1)} ms  tokens ${r.tokensP50}  complete ${(r.completeRate * 100).toFixed(0)}%\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
