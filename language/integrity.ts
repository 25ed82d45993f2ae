/**
 * Reads model files and checks them against the manifest's sha256 before any
 * backend sees them: a mismatch names the file, the expected and the actual digest.
 */
import { readFile } from 'node:fs/promises';
import { sha256Bytes, sha256File } from '../perception/index.js';
import { LanguageIntegrityError, LanguageLoadError } from './errors.js';

type Field = 'sha256' | 'tokenizer.sha256';

function notFound(path: string, what: string, cause: unknown): LanguageLoadError {
  return new LanguageLoadError('language.not_found', `cannot read ${what} ${path}`, {
    cause,
    issues: [{ code: 'not_found', path: what === 'model' ? ['path'] : [what, 'path'], message: `cannot read ${path}` }],
  });
}

function check(actual: string, expected: string | undefined, path: string, field: Field): string {
  if (expected !== undefined && actual !== expected.toLowerCase()) {
    throw new LanguageIntegrityError(
      `${path} has sha256 ${actual}, manifest ${field} expects ${expected.toLowerCase()}: refusing to load`,
      expected.toLowerCase(),
      actual,
      path,
      field,
    );
  }
  return actual;
}

/**
 * Reads a file and checks its digest on the bytes that will be used, so a
 * file swapped between check and load cannot slip through.
 */
export async function readVerified(
  path: string,
  expected: string | undefined,
  what: 'model' | 'tokenizer' | 'config',
  field: Field = 'sha256',
): Promise<{ bytes: Uint8Array; sha256: string }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw notFound(path, what, cause);
  }
  return { bytes, sha256: check(sha256Bytes(bytes), expected, path, field) };
}

/** Streams a large file (a GGUF the backend maps itself) through sha256 and checks it. */
export async function verifyFile(path: string, expected: string): Promise<string> {
  let actual: string;
  try {
    actual = await sha256File(path);
  } catch (cause) {
    throw notFound(path, 'model', cause);
  }
  return check(actual, expected, path, 'sha256');
}
