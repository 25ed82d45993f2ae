/**
 * With the session on its inference thread, the next frame is handed over
 * while the current one infers, so the model starts on it the moment the
 * current one ends; never more than one waits. On the event loop's thread
 * the next frame is handed over only after the current one is done.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDetector, onnxBackend, registerBackend, type Detector } from '../../perception/index.js';
import { noiseBytes, repoRoot, wrapRunner } from './fixtures.js';

/** The real onnx backend, logging each run's call and end (registered for this file's module graph only). */
const events: string[] = [];
let calls = 0;
registerBackend({
  name: 'onnx',
  async load(bytes, manifest, ctx) {
    const inner = await onnxBackend.load(bytes, manifest, ctx);
    return wrapRunner(inner, {
      ...(inner.queuesRuns === undefined ? {} : { queuesRuns: inner.queuesRuns }),
      run(name, data, dims) {
        const k = ++calls;
        events.push(`call ${k}`);
        return inner.run(name, data, dims).then((outputs) => {
          events.push(`done ${k}`);
          return outputs;
        });
      },
    });
  },
});

const open: Detector[] = [];
afterAll(async () => {
  await Promise.all(open.map((d) => d.close()));
});

/** The 640 x 480 sim detector: tens of milliseconds a run, long enough for frames to queue. */
const MANIFEST = join(repoRoot, 'models', 'kestrel-sim-det-640.yaml');
const FRAME = { data: noiseBytes(640 * 480 * 3, 7), width: 640, height: 480, encoding: 'rgb8' as const };

async function streamOfThree(thread: 'worker' | 'main'): Promise<{ order: string[]; same: boolean }> {
  const d = await createDetector(MANIFEST, { overrides: { warmupRuns: 1, thread } });
  open.push(d);
  const alone = await d.run(FRAME);
  events.length = 0;
  calls = 0;
  // Submitted at once: each waits its turn (admission after the one before has started).
  const frames = [d.submit(FRAME), d.submit(FRAME), d.submit(FRAME)];
  const results = await Promise.all(frames.map((f) => f.result));
  const same = results.every((r) => JSON.stringify(r.detections) === JSON.stringify(alone.detections));
  return { order: [...events], same };
}

describe('detector: queued runs on the inference thread', () => {
  it('EXPECTED FAILURE - the second frame is handed over before the first is done, the third only after', async () => {
    const { order, same } = await streamOfThree('worker');
    expect(same).toBe(true);
    expect(order).toHaveLength(6);
    expect(order.indexOf('call 2')).toBeLessThan(order.indexOf('done 1'));
    expect(order.indexOf('call 3')).toBeGreaterThan(order.indexOf('done 1'));
    expect(order.filter((e) => e.startsWith('done'))).toEqual(['done 1', 'done 2', 'done 3']);
  });

  it('on the event loop thread the next frame waits for the one before to finish', async () => {
    const { order, same } = await streamOfThree('main');
    expect(same).toBe(true);
    expect(order).toEqual(['call 1', 'done 1', 'call 2', 'done 2', 'call 3', 'done 3']);
  });
});
