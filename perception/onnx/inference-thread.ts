/**
 * The inference thread: one onnxruntime session, run off the event loop.
 *
 * onnxruntime-node's `session.run` is synchronous under its promise (it runs
 * in a `setImmediate`; microsoft/onnxruntime#19611, #26968), so on the main
 * thread a 90 ms inference is 90 ms in which no timer fires, no ROS message
 * or MQTT packet is handled and the guard does not run. Here it blocks only
 * this thread; the main thread keeps its event loop, and the next frame's
 * decode can be started while this one infers.
 *
 * Imports nothing from the rest of Kestrel but open-session.ts (see there).
 */
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { describeValues, isOpenFailure, toFloat32, tryOpenOnnxSession } from './open-session.js';
import type { FromThread, ThreadOutput, ToThread } from './thread-protocol.js';

const port = parentPort;
if (port === null) throw new Error('inference-thread.ts runs as a worker thread only');

let session: ort.InferenceSession | undefined;

function send(message: FromThread, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

const relay = {
  info: (obj: Record<string, unknown>, msg: string): void => send({ type: 'log', level: 'info', obj, msg }),
  warn: (obj: Record<string, unknown>, msg: string): void => send({ type: 'log', level: 'warn', obj, msg }),
};

async function load(message: Extract<ToThread, { type: 'load' }>): Promise<void> {
  const opened = await tryOpenOnnxSession(message.model, { ...message.options, logger: relay });
  if (isOpenFailure(opened)) {
    send({ type: 'load_failed', code: opened.code, message: opened.message, issues: opened.issues });
    return;
  }
  session = opened.session;
  send({
    type: 'loaded',
    activeProvider: opened.activeProvider,
    fallbacks: opened.fallbacks,
    inputs: describeValues(session.inputMetadata),
    outputs: describeValues(session.outputMetadata),
  });
}

async function run(message: Extract<ToThread, { type: 'run' }>): Promise<void> {
  const { id, input } = message;
  try {
    if (session === undefined) throw new Error('no model loaded on the inference thread');
    const results = await session.run({ [message.inputName]: new ort.Tensor('float32', input, message.dims) });
    const outputs: ThreadOutput[] = [];
    const transfer: ArrayBuffer[] = [input.buffer as ArrayBuffer];
    for (const name of session.outputNames) {
      const t = results[name];
      if (t === undefined) continue;
      const data = toFloat32(t);
      outputs.push({ name, data, dims: t.dims });
      // Each output owns its buffer (onnxruntime-node copies out of its arena), so it can move.
      if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength)
        transfer.push(data.buffer as ArrayBuffer);
    }
    send({ type: 'result', id, outputs, input }, transfer);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    send({ type: 'run_failed', id, message: text, input }, [input.buffer as ArrayBuffer]);
  }
}

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'load':
      void load(message);
      break;
    case 'run':
      void run(message);
      break;
    case 'dispose':
      void (session?.release() ?? Promise.resolve()).finally(() => {
        session = undefined;
        send({ type: 'disposed' });
      });
      break;
  }
});
