import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DecoderError,
  createDecoder,
  createDetector,
  registerDecoder,
  registeredDecoders,
} from '../../../perception/index.js';
import type { Detector, ManifestSource } from '../../../perception/index.js';
import { BOX_ATOL_PX, expected, greyPng, modelPath } from '../fixtures.js';

/** Manifest per built-in decoder kind: the generated model and its output options. */
const manifests: Record<string, ManifestSource> = {
  yolov8: { path: modelPath('yolov8'), output: { kind: 'yolov8' } },
  yolov5: { path: modelPath('yolov5'), output: { kind: 'yolov5' } },
  yolox: { path: modelPath('yolox'), output: { kind: 'yolox', strides: [8, 16, 32] } },
  'end-to-end': { path: modelPath('end-to-end'), output: { kind: 'end-to-end' } },
  classifier: { path: modelPath('classifier'), output: { kind: 'classifier' } },
};

const open: Detector[] = [];
afterAll(async () => {
  await Promise.all(open.map((d) => d.close()));
});

describe('decoder inventory: every built-in decoder meets its golden output', () => {
  const builtIns = registeredDecoders().filter((f) => f.kind in manifests);
  it('covers every registered built-in', () => {
    expect(builtIns.map((f) => f.kind).sort()).toEqual(Object.keys(manifests).sort());
  });

  for (const factory of builtIns) {
    it(`${factory.kind}: ${factory.description}`, async () => {
      const source = manifests[factory.kind]!;
      const detector = await createDetector(
        typeof source === 'string' ? source : { executionProviders: ['cpu'], warmupRuns: 1, ...source },
      );
      open.push(detector);
      // A 64x64 image: model input is 32x32, so original pixels are model pixels × 2.
      const found = await detector.detect(await greyPng(64, 64));
      const want = expected.models[factory.kind]!;
      expect(found).toHaveLength(want.length);
      want.forEach((w, i) => {
        const d = found[i]!;
        expect(d.classId).toBe(w.classId);
        expect(d.score).toBeCloseTo(w.score, 5);
        const box = [d.box.x1, d.box.y1, d.box.x2, d.box.y2];
        box.forEach((v, k) => expect(Math.abs(v - w.box[k]! * 2)).toBeLessThan(BOX_ATOL_PX));
      });
    });
  }

  it('names classes from the ONNX metadata (Ultralytics `names`)', async () => {
    const detector = await createDetector({ path: modelPath('classifier'), output: { kind: 'classifier' } });
    open.push(detector);
    expect(detector.classNames).toEqual(['grass', 'smoke', 'sky']);
    const [top] = await detector.detect(await greyPng(40, 20));
    expect(top).toMatchObject({ className: 'smoke', box: { x1: 0, y1: 0, x2: 40, y2: 20 } });
  });
});

describe('decoder registry', () => {
  it('takes an integrator’s decoder and validates its options', async () => {
    registerDecoder({
      kind: 'test-first-box',
      description: 'reads the yolov8 fixture output row 0 as one box',
      optionsSchema: z.strictObject({ label: z.int().default(1) }),
      create: (options) => ({
        kind: 'test-first-box',
        needsNms: false,
        numClasses: () => undefined,
        decode(output, _ctx, out) {
          const n = output.dims[2] ?? 0;
          const d = output.data;
          const cx = d[0] ?? 0;
          const cy = d[n] ?? 0;
          const w = d[2 * n] ?? 0;
          const h = d[3 * n] ?? 0;
          out.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, 1, options.label);
        },
      }),
    });
    const detector = await createDetector({ path: modelPath('yolov8'), output: { kind: 'test-first-box', label: 1 } });
    open.push(detector);
    expect(await detector.detect(await greyPng(32, 32))).toEqual([
      { classId: 1, className: 'car', score: 1, box: { x1: 4, y1: 4, x2: 12, y2: 12 } },
    ]);
  });

  it('BAD CALL - unknown output kind is perception.decoder_unknown naming output.kind', () => {
    expect(() => createDecoder({ kind: 'ssd-v9' })).toThrow(DecoderError);
    try {
      createDecoder({ kind: 'ssd-v9' });
    } catch (e) {
      expect((e as DecoderError).code).toBe('perception.decoder_unknown');
      expect((e as DecoderError).issues[0]?.path).toEqual(['output', 'kind']);
    }
  });

  it('BAD CALL - bad decoder options are perception.decoder_options with the option path', () => {
    try {
      createDecoder({ kind: 'yolox', strides: [8, -1] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecoderError);
      expect((e as DecoderError).code).toBe('perception.decoder_options');
      expect((e as DecoderError).issues[0]?.path).toEqual(['output', 'strides', 1]);
    }
  });

  it('EXPECTED FAILURE - yolox strides that do not fit the output are perception.output_shape', async () => {
    const detector = await createDetector({ path: modelPath('yolox'), output: { kind: 'yolox', strides: [8, 16] } });
    open.push(detector);
    await expect(detector.detect(await greyPng(32, 32))).rejects.toMatchObject({
      code: 'perception.output_shape',
      issues: [{ path: ['output', 'strides'] }],
    });
  });

  it('EXPECTED FAILURE - a decoder given the wrong layout is perception.output_shape', async () => {
    const detector = await createDetector({ path: modelPath('classifier'), output: { kind: 'end-to-end' } });
    open.push(detector);
    await expect(detector.detect(await greyPng(32, 32))).rejects.toBeInstanceOf(DecoderError);
  });
});
