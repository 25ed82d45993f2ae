import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseUltralyticsNames, readOnnxMetadata } from '../../../perception/index.js';
import { modelPath } from '../fixtures.js';

describe('ONNX metadata_props', () => {
  it('reads the entries the fixture generator wrote', () => {
    const meta = readOnnxMetadata(readFileSync(modelPath('yolov8')));
    expect(meta).toEqual({ names: "{0: 'person', 1: 'car'}", imgsz: '[32, 32]' });
  });

  it('returns {} for bytes that are not a model', () => {
    expect(readOnnxMetadata(new Uint8Array([0xff, 0xff, 0xff]))).toEqual({});
    expect(readOnnxMetadata(new Uint8Array(0))).toEqual({});
  });

  it('parses Ultralytics names, quotes and gaps included', () => {
    expect(parseUltralyticsNames("{0: 'person', 1: 'bicycle'}")).toEqual(['person', 'bicycle']);
    expect(parseUltralyticsNames(`{0: "o'clock", 2: 'x'}`)).toEqual(["o'clock", 'class_1', 'x']);
    expect(parseUltralyticsNames("{0: 'a',}")).toEqual(['a']);
  });

  it('BAD CALL - names text of another shape gives undefined', () => {
    expect(parseUltralyticsNames('["person"]')).toBeUndefined();
    expect(parseUltralyticsNames('{}')).toBeUndefined();
    expect(parseUltralyticsNames('{0: person}')).toBeUndefined();
  });
});
