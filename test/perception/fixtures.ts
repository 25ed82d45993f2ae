/**
 * Shared test fixtures: the generated tiny models (tools/fixtures/make_onnx_models.py),
 * their expected boxes, synthetic images, and where ../shared reference data is (if present).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { ModelRunner } from '../../perception/index.js';
import { createLogger, type Logger } from '../../runtime/index.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const modelsDir = resolve(repoRoot, 'test', 'fixtures', 'models');
export const modelPath = (name: string): string => resolve(modelsDir, `${name}.onnx`);

export interface ExpectedDetection {
  classId: number;
  score: number;
  /** x1 y1 x2 y2 in model-input pixels (32x32). */
  box: [number, number, number, number];
}

export const expected = JSON.parse(readFileSync(resolve(modelsDir, 'expected.json'), 'utf8')) as {
  inputSize: number;
  models: Record<string, ExpectedDetection[]>;
};

/** `../shared/reference` beside the checkout, or undefined on a fresh clone. */
export const referenceDir: string | undefined = (() => {
  const dir = resolve(repoRoot, '..', 'shared', 'reference');
  return existsSync(resolve(dir, 'models', 'yolov8n_int8.onnx')) ? dir : undefined;
})();

/** A flat grey PNG of the given size, pixels. */
export async function greyPng(width: number, height: number, level = 90): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: level, g: level, b: level } } })
    .png()
    .toBuffer();
}

/** Absolute tolerance for box coordinates, pixels. */
export const BOX_ATOL_PX = 1e-3;

/** Deterministic noise bytes (an LCG): a mismatch anywhere in an image shows. */
export function noiseBytes(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s >>> 24;
  }
  return a;
}

/** A pino logger at debug whose JSON lines land in an array. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n'))
        if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format: 'json', destination: stream }), lines };
}

/**
 * A runner that is `inner` in everything but what `parts` replaces: tests that
 * hold, hang or watch the real model's inferences wrap the real onnx runner
 * with it. `queuesRuns` is not forwarded (a held run is not a queued one):
 * pass it in `parts` to keep it.
 */
export function wrapRunner(
  inner: ModelRunner,
  parts: Pick<ModelRunner, 'run'> & Partial<Pick<ModelRunner, 'terminate' | 'queuesRuns'>>,
): ModelRunner {
  return {
    backend: inner.backend,
    activeProvider: inner.activeProvider,
    fallbacks: inner.fallbacks,
    inputs: inner.inputs,
    outputs: inner.outputs,
    metadata: inner.metadata,
    ...(inner.blocksEventLoop === undefined ? {} : { blocksEventLoop: inner.blocksEventLoop }),
    get lost() {
      return inner.lost;
    },
    ...(inner.terminate === undefined
      ? {}
      : { terminate: (reason: string) => inner.terminate?.(reason) ?? Promise.resolve() }),
    dispose: () => inner.dispose(),
    ...parts,
  };
}
