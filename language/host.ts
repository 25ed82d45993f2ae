/**
 * The language-model host: a child process that loads one model and answers
 * generate requests over IPC (isolated.ts is the other end).
 *
 * Why a process: llama.cpp aborts the whole process on a CUDA error (on an
 * H200 with driver 580, node-llama-cpp 3.21.1's prebuilt CUDA build aborts at
 * the first token: its PTX needs a newer driver). In the runtime's own
 * process that abort would take the guard, telemetry and the current plan
 * down with it; here it takes down this process only.
 *
 * The host exits when its parent goes away, so a model never outlives the
 * runtime that loaded it (GPU memory included).
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger, type LogLevel } from '../runtime/index.js';
import {
  errorToWire,
  fromHostSchema,
  toHostSchema,
  type FromHost,
  type ToHost,
  type WireError,
} from './host-protocol.js';
import type { LanguageModel } from './language-model.js';
import { loadLanguageModel } from './load.js';
import { parseLanguageManifest } from './manifest.js';

function send(message: FromHost): void {
  // Parsed on the way out too: a malformed message is a bug here, found here.
  process.send?.(fromHostSchema.parse(message));
}

function hostLogger(level: LogLevel): Logger {
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done): void {
      for (const line of chunk.toString().split('\n')) if (line !== '') send({ type: 'log', line });
      done();
    },
  });
  return createLogger({ level, format: 'json', destination: sink });
}

let model: LanguageModel | undefined;
const running = new Map<number, AbortController>();

async function serve(message: ToHost): Promise<void> {
  switch (message.type) {
    case 'load': {
      const started = performance.now();
      try {
        const manifest = parseLanguageManifest({ ...message.manifest, isolation: 'none' }, 'language host manifest');
        model = await loadLanguageModel(manifest, { logger: hostLogger(message.logLevel) });
        send({ type: 'ready', info: { ...model.info }, loadMs: performance.now() - started });
      } catch (error) {
        send({ type: 'load_failed', error: errorToWire(error) });
      }
      return;
    }
    case 'generate':
    case 'bare': {
      const controller = new AbortController();
      running.set(message.id, controller);
      try {
        if (model === undefined) throw new Error('no model loaded');
        const result =
          message.type === 'generate'
            ? await model.generate({ ...message.request, signal: controller.signal })
            : await model.generateBare({ ...message.request, signal: controller.signal });
        send({ type: 'result', id: message.id, result: { ...result } });
      } catch (error) {
        const wire: WireError = errorToWire(error);
        send({ type: 'error', id: message.id, error: wire });
      } finally {
        running.delete(message.id);
      }
      return;
    }
    case 'abort':
      running.get(message.id)?.abort();
      return;
    case 'close':
      await model?.close();
      process.disconnect();
      return;
  }
}

process.on('message', (raw: unknown) => {
  const parsed = toHostSchema.safeParse(raw);
  if (!parsed.success) {
    // The parent is Kestrel itself; a bad message is a version skew between the two files.
    process.stderr.write(`language host: unreadable message: ${parsed.error.message}\n`);
    process.exit(2);
  }
  void serve(parsed.data);
});
process.on('disconnect', () => process.exit(0));
