import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  BadSignatureError,
  ManifestTamperedError,
  ModelTamperedError,
  ModelUnsignedError,
  SignatureMalformedError,
  SigningKeyError,
  UnknownSignerError,
  keyFingerprint,
  parseSignature,
  signManifestFile,
  signaturePath,
  signingKeyFromPem,
  trustedKeys,
  verifyManifestFile,
} from '../../../fieldloop/index.js';
import { ModelIntegrityError } from '../../../perception/index.js';
import { fixtureModel, newKey, tempDir } from '../helpers.js';

const T = Date.UTC(2026, 0, 1);

describe('model signatures on disk', () => {
  it('signs manifest bytes and model hash; verifies with the trusted key', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath, sha256 } = await fixtureModel(dir);
    const signed = await signManifestFile(manifestPath, key, T);
    expect(signed.signaturePath).toBe(`${manifestPath}.sig`);
    expect(signed.envelope.payload).toEqual({
      kind: 'kestrel.model-signature/v1',
      manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      modelSha256: sha256,
      keyId: keyFingerprint(key.publicKeyBase64),
      signedAtMs: T,
    });
    const trusted = trustedKeys([{ id: key.keyId, publicKey: key.publicKeyBase64 }]);
    const v = await verifyManifestFile(manifestPath, trusted);
    expect(v).toMatchObject({ keyId: key.keyId, modelSha256: sha256, signedAtMs: T, trusted: true });
    // Without a trust list only integrity is checked, and the result says so.
    expect((await verifyManifestFile(manifestPath)).trusted).toBe(false);
  });

  it('EXPECTED FAILURE - no .sig file is model.unsigned', async () => {
    const dir = await tempDir();
    const { manifestPath } = await fixtureModel(dir);
    const err = await verifyManifestFile(manifestPath).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelUnsignedError);
    expect(err).toMatchObject({ code: 'model.unsigned', manifestPath });
  });

  it('EXPECTED FAILURE - a signer not in the trust list is model.unknown_signer, naming the key', async () => {
    const dir = await tempDir();
    const key = await newKey(dir, 'rogue');
    const release = await newKey(dir, 'release', 'release-2026');
    const { manifestPath } = await fixtureModel(dir);
    await signManifestFile(manifestPath, key, T);
    const err = await verifyManifestFile(
      manifestPath,
      trustedKeys([{ id: release.keyId, publicKey: release.publicKeyBase64 }]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownSignerError);
    expect(err).toMatchObject({ code: 'model.unknown_signer', keyId: key.keyId });
    expect((err as Error).message).toContain('release-2026');
  });

  it('EXPECTED FAILURE - a signature claiming a trusted id but made with another key is model.bad_signature', async () => {
    const dir = await tempDir();
    const release = await newKey(dir, 'release', 'release-2026');
    const impostor = await newKey(dir, 'impostor', 'release-2026');
    const { manifestPath } = await fixtureModel(dir);
    await signManifestFile(manifestPath, impostor, T);
    const err = await verifyManifestFile(
      manifestPath,
      trustedKeys([{ id: release.keyId, publicKey: release.publicKeyBase64 }]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadSignatureError);
    expect(err).toMatchObject({ code: 'model.bad_signature', keyId: 'release-2026' });
  });

  it('EXPECTED FAILURE - an edited payload (a forged model hash) is model.bad_signature', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath } = await fixtureModel(dir);
    await signManifestFile(manifestPath, key, T);
    const sig = JSON.parse(await readFile(signaturePath(manifestPath), 'utf8')) as {
      payload: { modelSha256: string };
    };
    sig.payload.modelSha256 = 'f'.repeat(64);
    await writeFile(signaturePath(manifestPath), JSON.stringify(sig));
    const trusted = trustedKeys([{ id: key.keyId, publicKey: key.publicKeyBase64 }]);
    await expect(verifyManifestFile(manifestPath, trusted)).rejects.toBeInstanceOf(BadSignatureError);
  });

  it('EXPECTED FAILURE - a manifest changed after signing is model.manifest_tampered', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath } = await fixtureModel(dir);
    await signManifestFile(manifestPath, key, T);
    // Lowering a threshold is a change of behaviour nobody vouched for.
    await writeFile(manifestPath, `${await readFile(manifestPath, 'utf8')}scoreThreshold: 0.01\n`);
    const err = await verifyManifestFile(
      manifestPath,
      trustedKeys([{ id: key.keyId, publicKey: key.publicKeyBase64 }]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestTamperedError);
    expect(err).toMatchObject({ code: 'model.manifest_tampered' });
    expect((err as ManifestTamperedError).actualSha256).not.toBe((err as ManifestTamperedError).signedSha256);
  });

  it('EXPECTED FAILURE - a model file changed after signing is model.file_tampered', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath, modelPath } = await fixtureModel(dir);
    await signManifestFile(manifestPath, key, T);
    const bytes = await readFile(modelPath);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    await writeFile(modelPath, bytes);
    const err = await verifyManifestFile(
      manifestPath,
      trustedKeys([{ id: key.keyId, publicKey: key.publicKeyBase64 }]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelTamperedError);
    expect(err).toMatchObject({ code: 'model.file_tampered', modelPath });
  });

  it('EXPECTED FAILURE - a .sig that is not a signature is model.signature_malformed', () => {
    expect(() => parseSignature('{"v":1}', 'm.yaml')).toThrow(SignatureMalformedError);
    expect(() => parseSignature('not json', 'm.yaml')).toThrow(SignatureMalformedError);
  });

  it('BAD CALL - signing a manifest whose sha256 pin does not match its model', async () => {
    const dir = await tempDir();
    const key = await newKey(dir);
    const { manifestPath } = await fixtureModel(dir);
    await writeFile(manifestPath, `path: model.onnx\nsha256: ${'a'.repeat(64)}\n`);
    await expect(signManifestFile(manifestPath, key, T)).rejects.toBeInstanceOf(ModelIntegrityError);
  });

  it('BAD CALL - a key that is not Ed25519 is trust.key_invalid', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
    expect(() => signingKeyFromPem(pem, 'ec.pem')).toThrow(SigningKeyError);
    expect(() => signingKeyFromPem('nope', 'x.pem')).toThrow(/not a PEM private key/);
  });
});
