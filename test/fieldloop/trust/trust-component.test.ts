import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fieldloopPlugin,
  ManifestTamperedError,
  ModelTamperedError,
  ModelUnsignedError,
  signManifestFile,
  UnknownSignerError,
} from '../../../fieldloop/index.js';
import { parseMission } from '../../../missions/index.js';
import { createDetector, perceptionPlugin } from '../../../perception/index.js';
import { createLogger, createRuntime } from '../../../runtime/index.js';
import { cameraMissionYaml, fixtureModel, inertRobot, newKey, tempDir, type TestKey } from '../helpers.js';

const T = Date.UTC(2026, 0, 1);

function mission(dir: string, model: string, trust: string): ReturnType<typeof parseMission> {
  return parseMission(cameraMissionYaml({ id: 'trust-test', model, extra: trust }), {
    file: join(dir, 'mission.yaml'),
    baseDir: dir,
  });
}

const trustOf = (keys: readonly TestKey[], requireSigned = true): string =>
  `modelTrust:\n  requireSigned: ${requireSigned}\n  trustedSigners:\n${keys.map((k) => `    - { id: "${k.keyId}", publicKey: ${k.publicKeyBase64} }\n`).join('')}`;

async function start(
  m: ReturnType<typeof parseMission>,
  _dir: string,
  plugins = [inertRobot, perceptionPlugin, fieldloopPlugin],
) {
  const rt = createRuntime(m, { plugins, logger: createLogger({ level: 'silent' }) });
  try {
    await rt.start();
  } finally {
    await rt.stop('test over');
  }
}

describe('model trust in a runtime', () => {
  it('loads a model signed by a trusted key', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath } = await fixtureModel(dir);
    await signManifestFile(manifestPath, key, T);
    await expect(
      start(mission(dir, `{ id: det, manifest: model.yaml }`, trustOf([key])), dir),
    ).resolves.toBeUndefined();
  });

  it('EXPECTED FAILURE - refuses an unsigned model before anything starts', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    await fixtureModel(dir);
    const err = await start(mission(dir, `{ id: det, manifest: model.yaml }`, trustOf([key])), dir).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelUnsignedError);
    expect((err as Error).message).toMatch(/model "det".*not signed.*requires signed models/);
  });

  it('EXPECTED FAILURE - refuses an inline manifest when signatures are required', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    await fixtureModel(dir);
    const err = await start(mission(dir, `{ id: det, path: model.onnx }`, trustOf([key])), dir).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelUnsignedError);
    expect((err as Error).message).toMatch(/inline manifest/);
  });

  it('EXPECTED FAILURE - refuses a model signed by a key the mission does not trust', async () => {
    const dir = await tempDir();
    const trusted = await newKey(dir, 'trusted');
    const rogue = await newKey(dir, 'rogue');
    const { manifestPath } = await fixtureModel(dir);
    await signManifestFile(manifestPath, rogue, T);
    const err = await start(mission(dir, `{ id: det, manifest: model.yaml }`, trustOf([trusted])), dir).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnknownSignerError);
    expect(err).toMatchObject({ code: 'model.unknown_signer', keyId: rogue.keyId });
  });

  it('EXPECTED FAILURE - refuses a model file swapped after signing (manifest sha256 pin removed too)', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath, modelPath } = await fixtureModel(dir);
    // Signed without a sha256 pin: the signature alone must catch the swap.
    await writeFile(manifestPath, 'path: model.onnx\nexecutionProviders: [cpu]\nwarmupRuns: 0\n');
    await signManifestFile(manifestPath, key, T);
    await writeFile(modelPath, await readFile(join(import.meta.dirname, '../../fixtures/models/yolov8-reloaded.onnx')));
    const err = await start(mission(dir, `{ id: det, manifest: model.yaml }`, trustOf([key])), dir).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelTamperedError);
    expect(err).toMatchObject({ code: 'model.file_tampered', modelPath });
  });

  it('EXPECTED FAILURE - refuses a manifest edited after signing', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath } = await fixtureModel(dir);
    await signManifestFile(manifestPath, key, T);
    await writeFile(manifestPath, `${await readFile(manifestPath, 'utf8')}scoreThreshold: 0.01\n`);
    const err = await start(mission(dir, `{ id: det, manifest: model.yaml }`, trustOf([key])), dir).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ManifestTamperedError);
  });

  it('requireSigned: false audits: an unsigned model loads, a tampered signed one is still refused', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath } = await fixtureModel(dir);
    const m = mission(dir, `{ id: det, manifest: model.yaml }`, trustOf([key], false));
    await expect(start(m, dir)).resolves.toBeUndefined();
    await signManifestFile(manifestPath, key, T);
    await writeFile(manifestPath, `${await readFile(manifestPath, 'utf8')}scoreThreshold: 0.01\n`);
    await expect(start(m, dir)).rejects.toBeInstanceOf(ManifestTamperedError);
  });

  it('EXPECTED FAILURE - a mission with modelTrust but no plugin to check it does not start (fails closed)', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath } = await fixtureModel(dir);
    await signManifestFile(manifestPath, key, T);
    const err = await start(mission(dir, `{ id: det, manifest: model.yaml }`, trustOf([key])), dir, [
      inertRobot,
      perceptionPlugin,
    ]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'runtime.missing_dependency' });
  });

  it('a reload is checked too: a tampered model never replaces the one serving', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath, modelPath } = await fixtureModel(dir);
    await writeFile(manifestPath, 'path: model.onnx\nexecutionProviders: [cpu]\nwarmupRuns: 0\n');
    await signManifestFile(manifestPath, key, T);
    const { modelTrustVerifier } = await import('../../../fieldloop/index.js');
    const verify = modelTrustVerifier(
      { requireSigned: true, trustedSigners: [{ id: key.keyId, publicKey: key.publicKeyBase64 }] },
      createLogger({ level: 'silent' }),
    );
    const detector = await createDetector(manifestPath, {
      verifyModel: async (m) => {
        await verify(m);
      },
    });
    try {
      const before = detector.sha256;
      await writeFile(
        modelPath,
        await readFile(join(import.meta.dirname, '../../fixtures/models/yolov8-reloaded.onnx')),
      );
      const r = await detector.reload();
      expect(r.ok).toBe(false);
      expect(r.ok ? undefined : r.error).toBeInstanceOf(ModelTamperedError);
      expect(detector.sha256).toBe(before);
    } finally {
      await detector.close();
    }
  });
});
