import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ModelIntegrityError, ModelLoadError } from './errors.js';

/** SHA-256 of a file as lowercase hex, streamed so a large model never sits in memory twice. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (cause) {
    throw new ModelLoadError('model.not_found', `cannot read model file ${path}`, {
      cause,
      issues: [{ code: 'not_found', path: ['path'], message: `cannot read ${path}` }],
    });
  }
  return hash.digest('hex');
}

/** SHA-256 of bytes already in memory, lowercase hex; several parts hash as if concatenated. */
export function sha256Bytes(bytes: Uint8Array | readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of bytes instanceof Uint8Array ? [bytes] : bytes) hash.update(part);
  return hash.digest('hex');
}

/**
 * Refuses a model whose bytes are not the ones the manifest pinned. Several
 * parts (a TF.js model.json and its weight shards) are hashed in order, as one
 * stream: `cat model.json group1-shard1of1.bin | sha256sum`.
 * Hash the same bytes that will be loaded (not the path), so a file replaced
 * between the check and the load cannot slip through.
 */
export function verifySha256(bytes: Uint8Array | readonly Uint8Array[], expected: string, modelPath: string): string {
  const actual = sha256Bytes(bytes);
  if (actual !== expected.toLowerCase()) {
    const parts = bytes instanceof Uint8Array ? 1 : bytes.length;
    const what = parts > 1 ? `model ${modelPath} with its ${parts - 1} weight file(s)` : `model ${modelPath}`;
    throw new ModelIntegrityError(
      `${what} has sha256 ${actual}, manifest expects ${expected.toLowerCase()}: refusing to load`,
      expected.toLowerCase(),
      actual,
      modelPath,
    );
  }
  return actual;
}
