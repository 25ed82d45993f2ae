/**
 * `kestrel model keygen | sign | verify`, testable without a process. The CLI
 * prints `result.text`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadMissionFile } from '../../missions/index.js';
import { WallClock, type Clock } from '../../runtime/index.js';
import { keyFingerprint, rawPublicKeyBase64, readSigningKey } from './keys.js';
import {
  signManifestFile,
  verifyManifestFile,
  writeFileAtomic,
  type ManifestVerification,
} from './manifest-signing.js';
import { trustedKeys } from './signature.js';

export interface KeygenResult {
  readonly keyPath: string;
  readonly keyId: string;
  readonly publicKey: string;
  readonly text: string;
}

/** Writes a new Ed25519 private key (PKCS#8 PEM, mode 0600) and prints the mission lines that trust it. */
export async function runKeygen(options: { out: string; json?: boolean; cwd?: string }): Promise<KeygenResult> {
  const keyPath = resolve(options.cwd ?? process.cwd(), options.out);
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  // `--out keys/release.pem` on a fresh checkout: the folder may not exist yet.
  await mkdir(dirname(keyPath), { recursive: true });
  await writeFileAtomic(keyPath, pem);
  await chmod(keyPath, 0o600);
  const publicKey = rawPublicKeyBase64(privateKey);
  const keyId = keyFingerprint(publicKey);
  const result = { keyPath, keyId, publicKey };
  const text =
    options.json === true
      ? `${JSON.stringify({ ok: true, ...result }, null, 2)}\n`
      : `wrote ${keyPath} (keep it secret)\ntrust it in a mission with:\n  modelTrust:\n    trustedSigners:\n      - { id: "${keyId}", publicKey: ${publicKey} }\n`;
  return { ...result, text };
}

export interface SignResult {
  readonly manifestPath: string;
  readonly signaturePath: string;
  readonly keyId: string;
  readonly modelSha256: string;
  readonly manifestSha256: string;
  readonly signedAtMs: number;
  readonly text: string;
}

export async function runSign(options: {
  manifest: string;
  key: string;
  keyId?: string;
  json?: boolean;
  clock?: Clock;
  cwd?: string;
}): Promise<SignResult> {
  const cwd = options.cwd ?? process.cwd();
  const clock = options.clock ?? new WallClock();
  const key = await readSigningKey(resolve(cwd, options.key), options.keyId);
  const signed = await signManifestFile(resolve(cwd, options.manifest), key, clock.nowMs());
  const p = signed.envelope.payload;
  const result = {
    manifestPath: signed.manifestPath,
    signaturePath: signed.signaturePath,
    keyId: p.keyId,
    modelSha256: p.modelSha256,
    manifestSha256: p.manifestSha256,
    signedAtMs: p.signedAtMs,
  };
  const text =
    options.json === true
      ? `${JSON.stringify({ ok: true, ...result }, null, 2)}\n`
      : `signed ${signed.manifestPath} and model ${signed.modelPath} (sha256 ${p.modelSha256}) with ${p.keyId}\nwrote ${signed.signaturePath}\n`;
  return { ...result, text };
}

export interface VerifyResult {
  readonly models: readonly (ManifestVerification & { readonly modelId?: string })[];
  readonly text: string;
}

/**
 * Verifies one manifest, or every manifest-file model of a mission. With a
 * mission that has `modelTrust`, only its trusted signers count; otherwise the
 * signature is checked against the key it carries (integrity only; the output says so).
 * Throws the first refusal (`model.unsigned`, `model.unknown_signer`, …).
 */
export async function runVerify(options: {
  manifest?: string;
  mission?: string;
  json?: boolean;
  cwd?: string;
}): Promise<VerifyResult> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = options.mission === undefined ? undefined : await loadMissionFile(resolve(cwd, options.mission));
  const trust = loaded?.mission.modelTrust;
  const keys = trust === undefined ? undefined : trustedKeys(trust.trustedSigners);
  const targets: { manifest: string; modelId?: string }[] = [];
  if (options.manifest !== undefined) targets.push({ manifest: resolve(cwd, options.manifest) });
  else if (loaded !== undefined) {
    for (const m of loaded.mission.models) {
      if ('manifest' in m) targets.push({ manifest: resolve(loaded.baseDir, m.manifest), modelId: m.id });
    }
  }
  const models: (ManifestVerification & { modelId?: string })[] = [];
  for (const t of targets) {
    const v = await verifyManifestFile(t.manifest, keys);
    models.push(t.modelId === undefined ? v : { ...v, modelId: t.modelId });
  }
  const text =
    options.json === true
      ? `${JSON.stringify({ ok: true, models }, null, 2)}\n`
      : models
          .map(
            (m) =>
              `ok ${m.manifestPath}: model sha256 ${m.modelSha256}, signed by ${m.keyId} at ${new Date(m.signedAtMs).toISOString()}` +
              (m.trusted ? ' (trusted by the mission)\n' : ' (integrity only: no mission trust list given)\n'),
          )
          .join('') || 'no manifest-file models to verify\n';
  return { models, text };
}
