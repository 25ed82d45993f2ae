import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelLoadError, createDetector, openOnnxSession, sessionConfig } from '../../../perception/index.js';
import { silentLogger } from '../../../runtime/index.js';
import { capturingLogger, greyPng, modelPath } from '../fixtures.js';

const bytes = (): Uint8Array => readFileSync(modelPath('yolov8'));

describe('onnx session: execution provider preference', () => {
  it('asked for cuda first on a CPU-only box, falls back to cpu and says why', async () => {
    const { logger, lines } = capturingLogger();
    const s = await openOnnxSession(bytes(), {
      executionProviders: ['cuda', 'cpu'],
      intraOpThreads: 1,
      graphOptimizationLevel: 'all',
      logger,
      modelPath: 'yolov8.onnx',
    });
    expect(s.activeProvider).toBe('cpu');
    expect(s.fallbacks).toHaveLength(1);
    expect(s.fallbacks[0]?.provider).toBe('cuda');
    expect(s.fallbacks[0]?.reason).toMatch(/\S/);
    const warn = lines.find((l) => l.msg === 'execution provider fallback: running on cpu');
    expect(warn).toMatchObject({ activeProvider: 'cpu', fallbacks: [{ provider: 'cuda' }] });
    await s.session.release();
  });

  it('tries the whole list in order: tensorrt, cuda, then cpu', async () => {
    const detector = await createDetector(
      { path: modelPath('yolov8'), executionProviders: ['tensorrt', 'cuda', 'cpu'] },
      { logger: silentLogger() },
    );
    expect(detector.activeProvider).toBe('cpu');
    expect(detector.fallbacks.map((f) => f.provider)).toEqual(['tensorrt', 'cuda']);
    await detector.close();
  });

  it('EXPECTED FAILURE - only GPU providers listed on a CPU box: model.no_provider, one issue per provider', async () => {
    const promise = openOnnxSession(bytes(), {
      executionProviders: ['tensorrt', 'cuda'],
      intraOpThreads: 1,
      graphOptimizationLevel: 'all',
      logger: silentLogger(),
      modelPath: 'yolov8.onnx',
    });
    await expect(promise).rejects.toBeInstanceOf(ModelLoadError);
    const err = (await promise.catch((e: unknown) => e)) as ModelLoadError;
    expect(err.code).toBe('model.no_provider');
    expect(err.issues.map((i) => i.path)).toEqual([
      ['executionProviders', 0],
      ['executionProviders', 1],
    ]);
  });

  it('EXPECTED FAILURE - bytes that are not a model fail on cpu as model.load_failed', async () => {
    const promise = openOnnxSession(new TextEncoder().encode('not a model'), {
      executionProviders: ['cpu'],
      intraOpThreads: 1,
      graphOptimizationLevel: 'all',
      logger: silentLogger(),
      modelPath: 'junk.onnx',
    });
    await expect(promise).rejects.toMatchObject({ code: 'model.load_failed' });
  });
});

describe('onnx session: config entries', () => {
  it('spinning off and static blocks unless asked; dynamic_block_base only when over 0', () => {
    expect(sessionConfig({})).toEqual({ intra_op: { allow_spinning: '0' } });
    expect(sessionConfig({ dynamicBlockBase: 0 })).toEqual({ intra_op: { allow_spinning: '0' } });
    expect(sessionConfig({ allowSpinning: true, dynamicBlockBase: 4 })).toEqual({
      intra_op: { allow_spinning: '1' },
      dynamic_block_base: '4',
    });
  });

  it('a model opened with dynamic blocks on two threads finds the same boxes as with static ones', async () => {
    const png = await greyPng(128, 64);
    const boxes = async (dynamicBlockBase: number): Promise<unknown> => {
      const d = await createDetector(
        { path: modelPath('yolov8'), executionProviders: ['cpu'], intraOpThreads: 2, dynamicBlockBase, warmupRuns: 1 },
        { logger: silentLogger() },
      );
      try {
        expect(d.manifest.dynamicBlockBase).toBe(dynamicBlockBase);
        return (await d.run(png)).detections.map((x) => [x.className, x.score, x.box]);
      } finally {
        await d.close();
      }
    };
    const fixed = await boxes(0);
    expect(fixed).toHaveLength(2);
    expect(await boxes(4)).toEqual(fixed);
  });
});
