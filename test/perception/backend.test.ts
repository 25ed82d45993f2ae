/**
 * An integrator's backend is reachable from a manifest: `registerBackend`
 * under a new name, then `backend: <name>` in the model manifest selects it.
 * The backend here wraps the real onnx backend (the real model runs) and
 * counts the inferences that went through it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  createDetector,
  onnxBackend,
  parseModelManifest,
  registerBackend,
  registeredBackends,
  type Detector,
  type ModelRunner,
} from '../../perception/index.js';
import { greyPng, modelPath } from './fixtures.js';

let runs = 0;
registerBackend({
  name: 'acme-npu',
  async load(bytes, manifest, ctx) {
    const inner = await onnxBackend.load(bytes, manifest, ctx);
    const runner: ModelRunner = {
      ...inner,
      backend: 'acme-npu',
      run(name, data, dims) {
        runs++;
        return inner.run(name, data, dims);
      },
      dispose: () => inner.dispose(),
    };
    return runner;
  },
});

const open: Detector[] = [];
afterAll(async () => {
  await Promise.all(open.map((d) => d.close()));
});

describe('backends registered through the SDK', () => {
  it('a manifest selects a registered backend by name and the model runs through it', async () => {
    expect(registeredBackends()).toContain('acme-npu');
    const d = await createDetector({ path: modelPath('yolov8'), backend: 'acme-npu', executionProviders: ['cpu'] });
    open.push(d);
    const before = runs;
    const frame = await d.run(await greyPng(64, 64));
    expect(runs).toBe(before + 1);
    expect(frame.width).toBe(64);
  });

  it('an unregistered backend name refuses to load, naming the field and what is registered', async () => {
    const err = await createDetector({ path: modelPath('yolov8'), backend: 'not-installed' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'model.backend_unavailable' });
    expect(String(err)).toContain('not-installed');
    expect(String(err)).toContain('acme-npu');
    expect((err as { issues: { path: string[] }[] }).issues[0]?.path).toEqual(['backend']);
  });

  it('a backend name that could not be registered is a parse error on `backend`', () => {
    expect(() => parseModelManifest({ path: 'm.onnx', backend: 'Acme NPU!' })).toThrow(/backend/);
  });
});
