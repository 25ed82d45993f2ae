/**
 * A language model in a host process of its own (`isolation: process`): the
 * same answers as in the runtime's process, and a native crash or hang of
 * the host fails one request, not the process that asked. The crashes here
 * are real: the host process is sent SIGABRT (what llama.cpp raises on a
 * CUDA error) or SIGSTOP (a hang).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  LanguageGenerationError,
  LanguageIntegrityError,
  loadLanguageManifest,
  loadLanguageModel,
  type LanguageModel,
  type LanguageModelManifest,
} from '../../language/index.js';
import { crashReason, IsolatedLanguageModel } from '../../language/isolated.js';
import { silentLogger } from '../../runtime/index.js';
import { fixtureDir, fixtureManifest, PLAN_SCHEMA } from './fixtures.js';

const REQUEST = 'search the east sector for fires at 40 metres';

function hostOf(model: LanguageModel): IsolatedLanguageModel {
  if (!(model instanceof IsolatedLanguageModel)) throw new Error('not in a host process');
  return model;
}

function pidOf(model: LanguageModel): number {
  const pid = hostOf(model).pid;
  if (pid === undefined) throw new Error('no host process');
  return pid;
}

async function waitForPid(model: LanguageModel, not: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const pid = hostOf(model).pid;
    if (pid !== undefined && pid !== not) return pid;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the host did not restart');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('language model in a host process (isolation: process)', () => {
  let manifest: LanguageModelManifest;
  const open: LanguageModel[] = [];

  beforeAll(async () => {
    manifest = { ...(await loadLanguageManifest(fixtureManifest)), isolation: 'process' };
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((m) => m.close()));
  });

  async function load(
    m: LanguageModelManifest = manifest,
    isolation: { hangGraceMs?: number; maxRestarts?: number; restartDelayMs?: number } = {},
  ): Promise<LanguageModel> {
    const model = await loadLanguageModel(m, { logger: silentLogger(), isolation });
    open.push(model);
    return model;
  }

  it('answers exactly as the model does in the runtime process', async () => {
    const isolated = await load();
    const inProcess = await load({ ...manifest, isolation: 'none' });
    expect(isolated).toBeInstanceOf(IsolatedLanguageModel);
    expect(inProcess).not.toBeInstanceOf(IsolatedLanguageModel);
    expect(pidOf(isolated)).not.toBe(process.pid);
    expect(isolated.info).toEqual(inProcess.info);
    const a = await isolated.generate({ prompt: REQUEST, schema: PLAN_SCHEMA, maxTokens: 64 });
    const b = await inProcess.generate({ prompt: REQUEST, schema: PLAN_SCHEMA, maxTokens: 64 });
    expect(a.text).toBe(b.text);
    expect(a.tokens).toBe(b.tokens);
    expect(a.stopReason).toBe(b.stopReason);
    const bare = await isolated.generateBare({ prompt: REQUEST, maxTokens: 8, ignoreEos: true });
    expect(bare.tokens).toBe(8);
  });

  it('EXPECTED FAILURE - a host killed by SIGABRT fails the request in flight with language.crashed; the next request gets a restarted host', async () => {
    const model = await load(manifest, { restartDelayMs: 10 });
    const first = pidOf(model);
    const inFlight = model.generate({ prompt: REQUEST, schema: PLAN_SCHEMA, maxTokens: 512 });
    await new Promise((r) => setImmediate(r));
    process.kill(first, 'SIGABRT');
    const error = await inFlight.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LanguageGenerationError);
    expect((error as LanguageGenerationError).code).toBe('language.crashed');
    expect((error as Error).message).toMatch(/signal SIGABRT/);
    expect((error as Error).message).toMatch(/during generate/);
    // This process is untouched; the host comes back with the same model.
    const second = await waitForPid(model, first);
    expect(second).not.toBe(first);
    const r = await model.generate({ prompt: REQUEST, schema: PLAN_SCHEMA, maxTokens: 64 });
    expect(r.stopReason).toBe('complete');
    expect(JSON.parse(r.text)).toHaveProperty('behavior');
  });

  it('EXPECTED FAILURE - a host that stops answering is killed after twice the time budget plus the grace', async () => {
    const model = await load(manifest, { hangGraceMs: 200, restartDelayMs: 10 });
    const pid = pidOf(model);
    process.kill(pid, 'SIGSTOP');
    const started = performance.now();
    const error = await model
      .generate({ prompt: REQUEST, schema: PLAN_SCHEMA, maxTokens: 64, timeBudgetMs: 100 })
      .catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect((error as LanguageGenerationError).code).toBe('language.crashed');
    expect((error as Error).message).toMatch(/no answer within 400 ms/);
    expect(waited).toBeGreaterThanOrEqual(390);
    await waitForPid(model, pid);
    expect(alive(pid)).toBe(false);
    const r = await model.generate({ prompt: REQUEST, schema: PLAN_SCHEMA, maxTokens: 64 });
    expect(r.stopReason).toBe('complete');
  });

  it('EXPECTED FAILURE - a host that crashes more times in a row than maxRestarts is left down, and says so', async () => {
    const model = await load(manifest, { maxRestarts: 1, restartDelayMs: 10 });
    const first = pidOf(model);
    process.kill(first, 'SIGABRT');
    const second = await waitForPid(model, first);
    process.kill(second, 'SIGABRT');
    await new Promise((r) => setTimeout(r, 200));
    expect(hostOf(model).pid).toBeUndefined();
    const error = await model.generate({ prompt: REQUEST, schema: PLAN_SCHEMA }).catch((e: unknown) => e);
    expect((error as LanguageGenerationError).code).toBe('language.crashed');
    expect((error as Error).message).toMatch(/crashed 2 times in a row .*not restarted/);
  });

  it('EXPECTED FAILURE - a model whose sha256 differs is refused by the host with the same error class, code and digests', async () => {
    const error = await load({ ...manifest, sha256: '0'.repeat(64) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LanguageIntegrityError);
    expect((error as LanguageIntegrityError).code).toBe('language.sha256_mismatch');
    expect((error as LanguageIntegrityError).expectedSha256).toBe('0'.repeat(64));
    expect((error as LanguageIntegrityError).actualSha256).toBe(manifest.sha256);
  });

  it('an abort signal reaches the host and rejects with language.aborted', async () => {
    const model = await load();
    const controller = new AbortController();
    controller.abort();
    const error = await model
      .generate({ prompt: REQUEST, schema: PLAN_SCHEMA, signal: controller.signal })
      .catch((e: unknown) => e);
    expect((error as LanguageGenerationError).code).toBe('language.aborted');
  });

  it('EXPECTED FAILURE - a program that never calls close() still exits: an idle host holds nothing open', () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const run = spawnSync(process.execPath, ['--import', tsx, path.join(fixtureDir, 'load-no-close.ts')], {
      timeout: 30_000,
      encoding: 'utf8',
    });
    expect(run.signal, 'killed by the 30 s timeout: the host kept the process alive').toBeNull();
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('complete');
  });

  it('close() ends the host process', async () => {
    const model = await load();
    const pid = pidOf(model);
    await model.close();
    expect(alive(pid)).toBe(false);
    const error = await model.generate({ prompt: REQUEST, schema: PLAN_SCHEMA }).catch((e: unknown) => e);
    expect((error as LanguageGenerationError).code).toBe('language.closed');
  });
});

describe('crashReason: which line says why a host died', () => {
  // Verbatim from an NVIDIA H200 (driver 580.159.04) running node-llama-cpp 3.21.1's prebuilt
  // CUDA build (docs/tasking.md): llama.cpp's log callback, then its abort backtrace on stderr.
  const h200Log = [
    'CUDA error: the provided PTX was compiled with an unsupported toolchain.',
    'current device: 0, in function ggml_cuda_kernel_can_use_pdl at /home/runner/work/node-llama-cpp/node-llama-cpp/llama/llama.cpp/ggml/src/ggml-cuda/common.cuh:1640',
    'cudaFuncGetAttributes(&attr, kernel)',
  ];
  const h200Stderr = [
    '/home/runner/work/node-llama-cpp/node-llama-cpp/llama/llama.cpp/ggml/src/ggml-cuda/ggml-cuda.cu:108: CUDA error',
    '/tmp/kg/node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/libggml-base.so(+0x1c8eb)[0x7f426c14a8eb]',
    '/tmp/kg/node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda/libggml-base.so(ggml_abort+0x152)[0x7f426c14af42]',
    './node(_ZZN4node14ThreadPoolWork12ScheduleWorkEvENUlP9uv_work_sE_4_FUNES2_+0x59)[0xc71349]',
    '',
  ].join('\n');

  it('names the CUDA error, not the call that reported it', () => {
    expect(crashReason(h200Log, h200Stderr)).toBe(
      'CUDA error: the provided PTX was compiled with an unsupported toolchain.',
    );
  });

  it('without log lines, the last stderr line that is not a backtrace frame', () => {
    expect(crashReason([], h200Stderr)).toMatch(/ggml-cuda\.cu:108: CUDA error$/);
  });

  it('nothing said: undefined', () => {
    expect(crashReason([], '')).toBeUndefined();
  });
});
