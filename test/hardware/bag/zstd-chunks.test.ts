import { TempBuffer } from '@mcap/core';
import { describe, expect, it } from 'vitest';
import { BagError, BufferReadable, McapBagWriter, openMcapBag } from '../../../hardware/index.js';
import type { BagMessage } from '../../../hardware/index.js';
import { imuMsg } from '../fixtures/ros-messages.js';
import { MS_NS, T0_NS } from '../fixtures/sensor-bags.js';

/**
 * A valid zstd frame made of raw (stored) blocks. Node 20 has no zstd
 * encoder and the project takes no native one for tests; a raw-block frame
 * is what `zstd` itself writes for incompressible data, so the reader's zstd
 * path (fzstd, then the CRC of the decompressed records) runs exactly as on
 * a `ros2 bag record -s mcap` file, and the payload bytes stay findable in
 * the file for the corruption test.
 */
function rawZstdFrame(data: Uint8Array): Uint8Array {
  const BLOCK = 128 * 1024;
  const parts: number[] = [0x28, 0xb5, 0x2f, 0xfd]; // magic 0xFD2FB528, little-endian
  parts.push(0x00); // frame header: no content size, no checksum, no dictionary, not single-segment
  parts.push(0x58); // window descriptor: 2^(10 + 11) = 2 MiB
  const out: Uint8Array[] = [Uint8Array.from(parts)];
  for (let at = 0; at < data.length || at === 0; at += BLOCK) {
    const block = data.subarray(at, Math.min(at + BLOCK, data.length));
    const last = at + BLOCK >= data.length ? 1 : 0;
    const header = last | (0 << 1) | (block.length << 3); // block type 0: raw
    out.push(Uint8Array.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), block);
    if (data.length === 0) break;
  }
  return Buffer.concat(out);
}

async function zstdBag(): Promise<Uint8Array> {
  const buffer = new TempBuffer();
  const w = await McapBagWriter.create(buffer, {
    chunkSizeBytes: 600,
    compressChunk: (chunk) => ({ compression: 'zstd', compressedData: rawZstdFrame(chunk) }),
  });
  await w.addTopic('/imu', 'sensor_msgs/msg/Imu');
  for (let ms = 0; ms < 50; ms += 10) await w.write('/imu', T0_NS + BigInt(ms) * MS_NS, imuMsg(T0_NS, ms));
  await w.close();
  return buffer.get();
}

async function all(bytes: Uint8Array, validateCrcs = true): Promise<BagMessage[]> {
  const bag = await openMcapBag(new BufferReadable(bytes), 'zstd.mcap', () => Promise.resolve());
  const out: BagMessage[] = [];
  for await (const m of bag.messages({ validateCrcs })) out.push({ ...m, data: m.data.slice() });
  return out;
}

describe('MCAP zstd chunks', () => {
  it('reads zstd-compressed chunks in order and reports the compression', async () => {
    const bytes = await zstdBag();
    const bag = await openMcapBag(new BufferReadable(bytes), 'zstd.mcap', () => Promise.resolve());
    expect(bag.info.compression).toEqual(['zstd']);
    const got = await all(bytes);
    expect(got.map((m) => Number((m.logTimeNs - T0_NS) / MS_NS))).toEqual([0, 10, 20, 30, 40]);
  });

  it('EXPECTED FAILURE - a flipped byte inside a zstd chunk fails the decompressed-records CRC', async () => {
    const bytes = Uint8Array.from(await zstdBag());
    const first = (await all(bytes))[0]!;
    // Raw blocks store the records verbatim: find the first message and flip its last payload byte.
    const at = Buffer.from(bytes).indexOf(Buffer.from(first.data));
    expect(at).toBeGreaterThan(0);
    bytes[at + first.data.length - 1]! ^= 0xff;
    const err = await all(bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BagError);
    expect(err).toMatchObject({ code: 'bag.corrupt', message: expect.stringContaining('CRC') });
    // Unchecked, the same file reads (with the flipped byte): the CRC was what caught it.
    expect(await all(bytes, false)).toHaveLength(5);
  });
});
