import { describe, expect, it } from 'vitest';
import { ModelManifestError, modelManifestJsonSchema, parseModelManifest } from '../../perception/index.js';

describe('model manifest', () => {
  it('fills every default from a bare path', () => {
    const m = parseModelManifest({ path: 'model.onnx' });
    expect(m).toMatchObject({
      path: 'model.onnx',
      backend: 'onnx',
      executionProviders: ['cuda', 'cpu'],
      warmupRuns: 2,
      memoryPattern: true,
      dynamicBlockBase: 0,
      scoreThreshold: 0.25,
      iouThreshold: 0.45,
      classAgnosticNms: false,
      maxDetections: 300,
      classes: {},
      input: { layout: 'NCHW', colour: 'rgb', resize: 'letterbox', padValue: 114, mean: [0, 0, 0], std: [1, 1, 1] },
      output: { kind: 'yolov8' },
    });
    expect(m.input.scale).toBeCloseTo(1 / 255, 12);
    expect(m.sha256).toBeUndefined();
  });

  it('keeps decoder options on output and lowercases sha256', () => {
    const m = parseModelManifest({
      path: 'x.onnx',
      sha256: 'A'.repeat(64),
      output: { kind: 'yolox', strides: [8, 16] },
      classes: { person: { scoreThreshold: 0.5 } },
    });
    expect(m.sha256).toBe('a'.repeat(64));
    expect(m.output).toEqual({ kind: 'yolox', strides: [8, 16] });
    expect(m.classes.person).toEqual({ scoreThreshold: 0.5, enabled: true });
  });

  it('BAD CALL - reports every invalid field with its path', () => {
    let error: unknown;
    try {
      parseModelManifest({
        path: '',
        sha256: 'abc',
        executionProviders: ['gpu'],
        scoreThreshold: 2,
        dynamicBlockBase: -1,
        input: { layout: 'CHW' },
        surprise: true,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelManifestError);
    const e = error as ModelManifestError;
    expect(e.code).toBe('model.manifest_invalid');
    const paths = e.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'path',
        'sha256',
        'executionProviders.0',
        'scoreThreshold',
        'dynamicBlockBase',
        'input.layout',
        '',
      ]),
    );
    expect(e.issues.find((i) => i.path.length === 0)?.code).toBe('unrecognized_keys');
  });

  it('exports a JSON Schema that carries the field descriptions', () => {
    const schema = modelManifestJsonSchema() as { properties: Record<string, { description?: string }> };
    expect(schema.properties.scoreThreshold?.description).toMatch(/Default 0\.25/);
    expect(schema.properties.executionProviders?.description).toMatch(/fallback|skipped/);
  });
});
