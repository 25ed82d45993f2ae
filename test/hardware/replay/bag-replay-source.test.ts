import { describe, expect, it } from 'vitest';
import { BagReplaySource, BufferReadable, driveReplay, openMcapBag } from '../../../hardware/index.js';
import type { BagMessage, BagReader, ReplayRoute } from '../../../hardware/index.js';
import { queue, sensorTopic } from '../../../runtime/index.js';
import { testContext } from '../context.js';
import { replayBagBytes } from '../fixtures/replay-bag.js';

const ROUTES: readonly ReplayRoute[] = [
  { topic: '/camera/image_raw', sensorId: 'cam', sensorType: 'camera' },
  { topic: '/odom', sensorId: 'odom', sensorType: 'odometry' },
  { topic: '/fix', sensorId: 'gps', sensorType: 'gnss' },
];

const BYTES = await replayBagBytes({ durationMs: 600 });
const inMemory = (): Promise<BagReader> =>
  openMcapBag(new BufferReadable(BYTES), 'replay.mcap', () => Promise.resolve());

/** A reader whose every message takes real time to arrive, as a cold disk or a big chunk does. */
async function slowReader(): Promise<BagReader> {
  const inner = await inMemory();
  return {
    info: inner.info,
    async *messages(options) {
      for await (const m of inner.messages(options)) {
        await new Promise((resolve) => setTimeout(resolve, 3));
        yield m;
      }
    },
    close: () => inner.close(),
  };
}

/** Replays with the driver; returns every published message as `sensor@ms-since-start`. */
async function replayStamps(open: () => Promise<BagReader>, onInput?: (m: BagMessage) => void): Promise<string[]> {
  const ctx = testContext();
  const got: string[] = [];
  const t0 = ctx.clock.nowMs();
  for (const r of ROUTES) {
    ctx.bus.subscribe(
      sensorTopic(r.sensorType, r.sensorId),
      (m) => void got.push(`${r.sensorId}@${(m.stampMs - t0).toFixed(3)}`),
      { policy: queue(1000) },
    );
  }
  const src = new BagReplaySource({
    path: 'replay.mcap',
    routes: ROUTES,
    loop: false,
    open,
    ...(onInput ? { onInput } : {}),
  });
  await src.configure(ctx);
  await src.start(ctx);
  expect(await driveReplay(ctx.clock, ctx.bus, src, { speed: Infinity })).toBe('ended');
  await src.stop();
  expect(ctx.health.current()).toMatchObject({ state: 'degraded', code: 'bag.ended' });
  return got;
}

describe('BagReplaySource', () => {
  it('publishes every routed topic in one pass, aligned to each other in bag time', async () => {
    const got = await replayStamps(inMemory);
    // Camera frames are recorded 7 ms after odometry; the 1 Hz fix at 2 ms.
    expect(got.slice(0, 4)).toEqual(['odom@0.000', 'gps@2.000', 'cam@7.000', 'odom@50.000']);
    expect(got.filter((s) => s.startsWith('cam@'))).toHaveLength(6);
    expect(got.filter((s) => s.startsWith('odom@'))).toHaveLength(12);
  });

  it('a slow reader changes nothing: the driver waits for the source before moving time', async () => {
    expect(await replayStamps(slowReader)).toEqual(await replayStamps(inMemory));
  });

  it('hands every routed message to onInput, in log-time order', async () => {
    const seen: bigint[] = [];
    await replayStamps(inMemory, (m) => seen.push(m.logTimeNs));
    expect(seen).toHaveLength(6 + 12 + 1);
    expect([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(seen);
  });

  it('EXPECTED FAILURE - a route to a topic the bag lacks is bag.unknown_topic', async () => {
    const src = new BagReplaySource({
      path: 'replay.mcap',
      routes: [{ topic: '/nope', sensorId: 'x', sensorType: 'imu' }],
      loop: false,
      open: inMemory,
    });
    await expect(src.configure(testContext())).rejects.toMatchObject({ code: 'bag.unknown_topic' });
  });

  it('EXPECTED FAILURE - a route whose topic is not the sensor type is bag.type_mismatch', async () => {
    const src = new BagReplaySource({
      path: 'replay.mcap',
      routes: [{ topic: '/odom', sensorId: 'x', sensorType: 'imu' }],
      loop: false,
      open: inMemory,
    });
    await expect(src.configure(testContext())).rejects.toMatchObject({ code: 'bag.type_mismatch' });
  });

  it('BAD CALL - no routes, or a max gap of 0, is a RangeError', () => {
    expect(() => new BagReplaySource({ path: 'x', routes: [], loop: false })).toThrow(RangeError);
    expect(() => new BagReplaySource({ path: 'x', routes: ROUTES, loop: false, maxGapMs: 0 })).toThrow(RangeError);
  });
});
