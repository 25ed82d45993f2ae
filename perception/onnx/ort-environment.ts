/**
 * onnxruntime's process-wide environment, built on a thread with room for it.
 *
 * onnxruntime (1.30, Linux) builds one environment per process, on the first
 * session. Doing so it reads the whole command line (/proc/self/cmdline) and
 * runs a std::regex over it; that regex recurses, taking about 350 bytes of
 * stack per byte of command line. A worker thread has 4 MiB of stack, so
 * `kestrel detect` given a few hundred image paths (about 12 KB of command
 * line) crashed with SIGSEGV while its inference thread opened the model; the
 * main thread's 8 MiB lasts to about 25 KB. Building the environment once, on
 * a short-lived worker whose stack is sized from the command line, makes
 * every later session (main thread or inference thread) reuse it.
 *
 * Imports nothing from the rest of Kestrel (open-session.ts, which the
 * inference thread loads alone, calls it).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';
import { Worker, isMainThread } from 'node:worker_threads';

/** Command lines up to this long fit any thread's stack with a wide margin: no extra thread. */
const SHORT_COMMAND_LINE_BYTES = 2048;
/** Stack for the environment's thread: a base, plus three times the measured need per command-line byte. */
const BASE_STACK_MIB = 8;
const STACK_BYTES_PER_COMMAND_LINE_BYTE = 1024;

/** The smallest valid model (one Identity on a float[1]): a session on it builds the environment. */
const IDENTITY_MODEL_BASE64 =
  'CAcSB2tlc3RyZWw6OQoQCgF4EgF5IghJZGVudGl0eRIDZW52Wg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQDQ==';

let ready: Promise<void> | undefined;

/**
 * Makes sure onnxruntime's environment exists before a session is opened.
 * Free when the command line is short or on a worker thread (its creator
 * prepared it); otherwise once per process, about as long as starting a thread.
 * Never rejects: if the helper thread fails, the session that follows fails
 * or succeeds as it would have without it, with its own error.
 */
export function prepareOrtEnvironment(): Promise<void> {
  if (!isMainThread) return Promise.resolve();
  ready ??= buildEnvironment();
  return ready;
}

/** Bytes of this process's command line, as onnxruntime reads it. */
function commandLineBytes(): number {
  try {
    return readFileSync('/proc/self/cmdline').length;
  } catch {
    // Not Linux (or no /proc): the arguments node kept are a close estimate.
    return [process.execPath, ...process.execArgv, ...process.argv.slice(1)].reduce(
      (n, arg) => n + Buffer.byteLength(arg) + 1,
      0,
    );
  }
}

/** Stack the environment's thread gets for a command line of `bytes`. */
function environmentStackMib(bytes: number): number {
  return BASE_STACK_MIB + Math.ceil((bytes * STACK_BYTES_PER_COMMAND_LINE_BYTE) / (1 << 20));
}

async function buildEnvironment(): Promise<void> {
  const bytes = commandLineBytes();
  if (bytes <= SHORT_COMMAND_LINE_BYTES) return;
  // Resolved here: an eval'd worker's require() starts from the working directory, not from Kestrel.
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const code = `
    const ort = require(${JSON.stringify(ortPath)});
    const model = Buffer.from(${JSON.stringify(IDENTITY_MODEL_BASE64)}, 'base64');
    ort.InferenceSession.create(model).then((s) => s.release()).then(() => process.exit(0), () => process.exit(1));
  `;
  await new Promise<void>((resolve) => {
    const worker = new Worker(code, { eval: true, resourceLimits: { stackSizeMb: environmentStackMib(bytes) } });
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
}
