import { readFileSync } from 'node:fs';
import { McapWriter, TempBuffer } from '@mcap/core';
import { describe, expect, it } from 'vitest';
import { BagError, BufferReadable, McapBagWriter, openMcapBag } from '../../../hardware/index.js';
import type { BagMessage } from '../../../hardware/index.js';
import { imuMsg } from '../fixtures/ros-messages.js';
import { MS_NS, T0_NS } from '../fixtures/sensor-bags.js';
import { sensorsMcap } from './paths.js';

const open = (bytes: Uint8Array) => openMcapBag(new BufferReadable(bytes), 'mem.mcap', () => Promise.resolve());

async function all(bytes: Uint8Array, options: Parameters<Awaited<ReturnType<typeof open>>['messages']>[0] = {}) {
  const bag = await open(bytes);
  const out: BagMessage[] = [];
  for await (const m of bag.messages(options)) out.push({ ...m, data: m.data.slice() });
  return out;
}

/** Two IMU messages per chunk, written out of order: chunks [0, 30], [10, 40], [20] overlap, which takes the library's merge path. */
async function overlappingChunks(): Promise<Uint8Array> {
  const buffer = new TempBuffer();
  const w = await McapBagWriter.create(buffer, { chunkSizeBytes: 500 });
  await w.addTopic('/imu', 'sensor_msgs/msg/Imu');
  for (const ms of [0, 30, 10, 40, 20]) {
    await w.write('/imu', T0_NS + BigInt(ms) * MS_NS, imuMsg(T0_NS + BigInt(ms) * MS_NS, ms));
  }
  await w.close();
  return buffer.get();
}

describe('MCAP chunk reader (views into the chunk, native CRC)', () => {
  it('hands out message data as views into one chunk buffer, not copies', async () => {
    const bag = await open(readFileSync(sensorsMcap));
    const buffers = new Set<ArrayBufferLike>();
    for await (const m of bag.messages({ topics: ['/imu'] })) buffers.add(m.data.buffer);
    // sensors.mcap is one chunk: all ten IMU messages share its buffer.
    expect(buffers.size).toBe(1);
  });

  it('reads a bag whose chunks overlap in time in log-time order (through the library merge)', async () => {
    const bytes = await overlappingChunks();
    const got = await all(bytes);
    expect(got.map((m) => Number((m.logTimeNs - T0_NS) / MS_NS))).toEqual([0, 10, 20, 30, 40]);
    const bag = await open(bytes);
    const buffers = new Set<ArrayBufferLike>();
    for await (const m of bag.messages()) buffers.add(m.data.buffer);
    // The library copies every message: five buffers, so this file did take the merge path.
    expect(buffers.size).toBe(5);
  });

  it('EXPECTED FAILURE - a flipped byte in a chunk is bag.corrupt; validateCrcs: false reads it anyway', async () => {
    const bytes = Uint8Array.from(readFileSync(sensorsMcap));
    const first = (await all(bytes, { topics: ['/imu'] }))[0]!;
    // Find the first IMU message's bytes in the file and flip one of its payload bytes.
    const at = Buffer.from(bytes).indexOf(Buffer.from(first.data));
    expect(at).toBeGreaterThan(0);
    bytes[at + first.data.length - 1]! ^= 0xff;
    const err = await all(bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BagError);
    expect(err).toMatchObject({ code: 'bag.corrupt', message: expect.stringContaining('CRC') });
    expect(await all(bytes, { validateCrcs: false })).toHaveLength(22);
  });

  it('EXPECTED FAILURE - the overlap path checks CRCs too', async () => {
    const bytes = Uint8Array.from(await overlappingChunks());
    const first = (await all(bytes))[0]!;
    const at = Buffer.from(bytes).indexOf(Buffer.from(first.data));
    bytes[at + first.data.length - 1]! ^= 0xff;
    await expect(all(bytes)).rejects.toMatchObject({ code: 'bag.corrupt' });
  });

  it('sorts a chunk whose messages were written out of log-time order', async () => {
    const buffer = new TempBuffer();
    const mcap = new McapWriter({
      writable: buffer,
      useStatistics: true,
      useChunks: true,
      useChunkIndex: true,
      useMessageIndex: true,
      useSummaryOffsets: true,
    });
    await mcap.start({ profile: 'ros2', library: 'test' });
    const w = await McapBagWriter.create(new TempBuffer());
    await w.addTopic('/imu', 'sensor_msgs/msg/Imu');
    const schemaId = await mcap.registerSchema({
      name: 'sensor_msgs/msg/Imu',
      encoding: 'ros2msg',
      data: new TextEncoder().encode(''),
    });
    const channelId = await mcap.registerChannel({
      topic: '/imu',
      schemaId,
      messageEncoding: 'cdr',
      metadata: new Map(),
    });
    for (const [seq, ms] of [20, 0, 10].entries()) {
      const data = w.serialize('/imu', imuMsg(T0_NS, ms));
      await mcap.addMessage({ channelId, sequence: seq, logTime: T0_NS + BigInt(ms) * MS_NS, publishTime: 0n, data });
    }
    await mcap.end();
    const got = await all(buffer.get());
    expect(got.map((m) => Number((m.logTimeNs - T0_NS) / MS_NS))).toEqual([0, 10, 20]);
  });
});
