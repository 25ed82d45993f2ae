import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createDetector,
  InferenceError,
  ModelLoadError,
  onnxBackend,
  parseModelManifest,
  type ModelRunner,
  type OutputTensor,
} from '../../../perception/index.js';
import { SimClock, silentLogger, type Logger } from '../../../runtime/index.js';
import { capturingLogger, modelPath, noiseBytes, repoRoot } from '../fixtures.js';

/** The sim detector at 640 x 480: tens of milliseconds per run, long enough to see the event loop. */
const SLOW_MODEL = path.join(repoRoot, 'models', 'kestrel-sim-det-640.onnx');

async function load(
  file: string,
  thread: 'worker' | 'main',
  logger: Logger = silentLogger(),
  executionProviders: ('cuda' | 'cpu')[] = ['cpu'],
): Promise<ModelRunner> {
  const manifest = parseModelManifest({ path: file, executionProviders, thread });
  return onnxBackend.load(readFileSync(file), manifest, { logger, modelPath: file });
}

/** An input for `runner`'s first input, from seeded noise in [0, 1). */
function inputFor(runner: ModelRunner, seed: number): { data: Float32Array; dims: number[] } {
  const dims = runner.inputs[0]!.shape.map((d) => (typeof d === 'number' ? d : 1));
  const n = dims.reduce((a, b) => a * b, 1);
  const noise = noiseBytes(n, seed);
  return { data: Float32Array.from(noise, (b) => b / 255), dims };
}

function firstOutput(outputs: ReadonlyMap<string, OutputTensor>): OutputTensor {
  const first = [...outputs.values()][0];
  if (first === undefined) throw new Error('no output');
  return first;
}

/** How many turns the event loop made (setImmediate) while `run` was in flight. */
async function loopTurnsDuring(run: () => Promise<unknown>): Promise<number> {
  let done = false;
  let turns = 0;
  const promise = run().finally(() => {
    done = true;
  });
  const spin = (): void => {
    if (done) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  await promise;
  return turns;
}

describe('onnx backend: the session on an inference thread', () => {
  it('EXPECTED FAILURE - the event loop keeps turning while the model infers; on the main thread it stops', async () => {
    const worker = await load(SLOW_MODEL, 'worker');
    const main = await load(SLOW_MODEL, 'main');
    try {
      const { data, dims } = inputFor(worker, 1);
      const name = worker.inputs[0]!.name;
      await worker.run(name, data, dims);
      await main.run(name, data, dims);
      // onnxruntime-node runs session.run synchronously inside a setImmediate: on the main
      // thread not one other callback runs until it returns.
      expect(await loopTurnsDuring(() => main.run(name, data, dims))).toBe(0);
      expect(await loopTurnsDuring(() => worker.run(name, data, dims))).toBeGreaterThan(10);
    } finally {
      await worker.dispose();
      await main.dispose();
    }
  });

  it('gives the same outputs as a session on the main thread, frame after frame', async () => {
    const worker = await load(modelPath('yolov8'), 'worker');
    const main = await load(modelPath('yolov8'), 'main');
    try {
      expect(worker.inputs).toEqual(main.inputs);
      expect(worker.outputs).toEqual(main.outputs);
      expect(worker.metadata).toEqual(main.metadata);
      expect(worker.activeProvider).toBe('cpu');
      const name = worker.inputs[0]!.name;
      for (const seed of [1, 2, 3]) {
        const { data, dims } = inputFor(worker, seed);
        const a = firstOutput(await worker.run(name, data, dims));
        const b = firstOutput(await main.run(name, data, dims));
        expect(a.dims).toEqual(b.dims);
        expect(Array.from(a.data)).toEqual(Array.from(b.data));
      }
    } finally {
      await worker.dispose();
      await main.dispose();
    }
  });

  it('reads the input when run is called: the caller may refill its buffer at once', async () => {
    const worker = await load(modelPath('yolov8'), 'worker');
    try {
      const name = worker.inputs[0]!.name;
      const { data, dims } = inputFor(worker, 5);
      const expected = Array.from(firstOutput(await worker.run(name, data.slice(), dims)).data);
      const pending = worker.run(name, data, dims);
      data.fill(0);
      expect(Array.from(firstOutput(await pending).data)).toEqual(expected);
    } finally {
      await worker.dispose();
    }
  });

  it('relays the provider fallback to the logger and reports the active provider', async () => {
    const { logger, lines } = capturingLogger();
    const runner = await load(modelPath('yolov8'), 'worker', logger, ['cuda', 'cpu']);
    try {
      expect(runner.activeProvider).toBe('cpu');
      expect(runner.fallbacks.map((f) => f.provider)).toEqual(['cuda']);
      expect(lines.find((l) => l.msg === 'execution provider fallback: running on cpu')).toMatchObject({
        activeProvider: 'cpu',
      });
    } finally {
      await runner.dispose();
    }
  });

  it('BAD INPUT - a file that is not a model: ModelLoadError from the thread, with its code and issues', async () => {
    const file = path.join(repoRoot, 'package.json');
    const error = await load(file, 'worker').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).code).toBe('model.load_failed');
    expect((error as ModelLoadError).issues[0]).toMatchObject({ path: ['executionProviders', 0] });
    const gpuOnly = await load(modelPath('yolov8'), 'worker', silentLogger(), ['cuda']).catch((e: unknown) => e);
    expect((gpuOnly as ModelLoadError).code).toBe('model.no_provider');
  });

  it('BAD INPUT - a run the model refuses fails with InferenceError, and the next run works', async () => {
    const worker = await load(modelPath('yolov8'), 'worker');
    try {
      const name = worker.inputs[0]!.name;
      const error = await worker.run(name, new Float32Array(7), [1, 7]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InferenceError);
      expect((error as InferenceError).code).toBe('perception.inference_failed');
      const { data, dims } = inputFor(worker, 9);
      expect(firstOutput(await worker.run(name, data, dims)).data.length).toBeGreaterThan(0);
    } finally {
      await worker.dispose();
    }
  });

  it('after dispose, a run fails at once with perception.inference_failed', async () => {
    const worker = await load(modelPath('yolov8'), 'worker');
    const { data, dims } = inputFor(worker, 4);
    // Twice at once (a close racing a reload): both resolve once the thread is gone.
    await Promise.all([worker.dispose(), worker.dispose()]);
    await worker.dispose();
    const error = await worker.run(worker.inputs[0]!.name, data, dims).catch((e: unknown) => e);
    expect((error as InferenceError).code).toBe('perception.inference_failed');
    expect((error as Error).message).toMatch(/disposed/);
  });

  it('a detector on a simulated clock keeps its session on the event loop, so a run ends in the instant it began', async () => {
    const source = { path: modelPath('yolov8'), executionProviders: ['cpu' as const] };
    const simulated = await createDetector(source, { logger: silentLogger(), clock: new SimClock() });
    const live = await createDetector(source, { logger: silentLogger() });
    const forced = await createDetector(source, {
      logger: silentLogger(),
      clock: new SimClock(),
      overrides: { thread: 'worker' },
    });
    try {
      expect(simulated.manifest.thread).toBe('main');
      expect(live.manifest.thread).toBe('worker');
      expect(forced.manifest.thread).toBe('worker');
    } finally {
      await Promise.all([simulated.close(), live.close(), forced.close()]);
    }
  });

  it('EXPECTED FAILURE - a program that never closes its detector still exits: an idle thread holds nothing open', () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const script = path.join(repoRoot, 'test', 'fixtures', 'perception', 'detect-no-close.ts');
    const run = spawnSync(process.execPath, ['--import', tsx, script], { timeout: 30_000, encoding: 'utf8' });
    expect(run.signal, 'killed by the 30 s timeout: the inference thread kept the process alive').toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('cpu 64x48');
  });
});
