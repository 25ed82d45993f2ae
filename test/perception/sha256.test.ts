import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ModelIntegrityError,
  ModelLoadError,
  createDetector,
  sha256Bytes,
  sha256File,
  verifySha256,
} from '../../perception/index.js';
import { modelPath } from './fixtures.js';

describe('sha256', () => {
  it('hashes a file the same as its bytes', async () => {
    const path = modelPath('yolov8');
    expect(await sha256File(path)).toBe(sha256Bytes(readFileSync(path)));
    expect(sha256Bytes(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('EXPECTED FAILURE - a digest mismatch names both digests and the file', () => {
    const bytes = readFileSync(modelPath('yolov8'));
    const wrong = '0'.repeat(64);
    expect(() => verifySha256(bytes, wrong, 'm.onnx')).toThrow(ModelIntegrityError);
    try {
      verifySha256(bytes, wrong, 'm.onnx');
    } catch (e) {
      const err = e as ModelIntegrityError;
      expect(err.code).toBe('model.sha256_mismatch');
      expect(err.expectedSha256).toBe(wrong);
      expect(err.actualSha256).toBe(sha256Bytes(bytes));
      expect(err.issues[0]?.path).toEqual(['sha256']);
    }
  });

  it('EXPECTED FAILURE - createDetector refuses a model whose sha256 differs from the manifest', async () => {
    const promise = createDetector({ path: modelPath('yolov8'), sha256: 'f'.repeat(64), executionProviders: ['cpu'] });
    await expect(promise).rejects.toBeInstanceOf(ModelIntegrityError);
    await expect(promise).rejects.toMatchObject({ code: 'model.sha256_mismatch' });
  });

  it('loads when the pinned sha256 matches', async () => {
    const path = modelPath('yolov8');
    const detector = await createDetector({ path, sha256: await sha256File(path), executionProviders: ['cpu'] });
    expect(detector.sha256).toBe(await sha256File(path));
    await detector.close();
  });

  it('EXPECTED FAILURE - a missing file is model.not_found', async () => {
    await expect(sha256File('/nonexistent/model.onnx')).rejects.toMatchObject({ code: 'model.not_found' });
    await expect(createDetector({ path: '/nonexistent/model.onnx' })).rejects.toBeInstanceOf(ModelLoadError);
  });
});
