import { crc32 } from 'node:zlib';
import type { IReadable, TypedMcapRecords } from '@mcap/core';
import { BagError } from './errors.js';

type ChunkIndex = TypedMcapRecords['ChunkIndex'];

/** One message record, its data borrowed from the (decompressed) chunk. */
export interface ChunkMessage {
  readonly channelId: number;
  readonly logTime: bigint;
  readonly data: Uint8Array;
}

const OP_CHUNK = 0x06;
const OP_MESSAGE = 0x05;
/** channel id u16, sequence u32, log time u64, publish time u64. */
const MESSAGE_PREFIX = 2 + 4 + 8 + 8;

/** True when the chunks can be read one after another and still give log-time order: none overlaps the next. */
export function chunksInOrder(chunks: readonly ChunkIndex[]): boolean {
  const sorted = [...chunks].sort((a, b) => cmp(a.messageStartTime, b.messageStartTime));
  let prev: ChunkIndex | undefined;
  for (const c of sorted) {
    if (prev !== undefined && c.messageStartTime < prev.messageEndTime) return false;
    prev = c;
  }
  return true;
}

/**
 * Reads the messages of `channels` chunk by chunk, in log-time order, for
 * bags whose chunks do not overlap in time (every rosbag2 and Kestrel
 * recording). The MCAP library's reader copies each chunk's records and each
 * message's data (`u8ArrayCopy`): for a 640x480 image that is two 0.9 MB
 * copies per frame. Here both are views into the one buffer the chunk was
 * read (or decompressed) into, and message indexes are not read at all: the
 * chunk is walked record by record. A chunk whose messages are out of order
 * is sorted (stable) before it is handed out.
 */
export async function* readChunkMessages(
  readable: IReadable,
  chunks: readonly ChunkIndex[],
  channels: ReadonlySet<number> | undefined,
  options: {
    readonly validateCrcs: boolean;
    readonly path: string;
    readonly decompress: Readonly<Record<string, (data: Uint8Array, size: bigint) => Uint8Array>>;
  },
): AsyncGenerator<ChunkMessage> {
  const ordered = [...chunks].sort((a, b) => cmp(a.messageStartTime, b.messageStartTime));
  for (const chunk of ordered) {
    if (channels !== undefined && ![...chunk.messageIndexOffsets.keys()].some((id) => channels.has(id))) continue;
    const bytes = await readable.read(chunk.chunkStartOffset, chunk.chunkLength);
    const records = chunkRecords(bytes, chunk, options);
    const messages = messagesIn(records, channels, options.path);
    yield* messages;
  }
}

function chunkRecords(
  bytes: Uint8Array,
  chunk: ChunkIndex,
  options: {
    validateCrcs: boolean;
    path: string;
    decompress: Readonly<Record<string, (d: Uint8Array, s: bigint) => Uint8Array>>;
  },
): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string): BagError =>
    new BagError('bag.corrupt', `${options.path}: chunk at byte ${chunk.chunkStartOffset}: ${why}`);
  if (bytes.byteLength < 45 || view.getUint8(0) !== OP_CHUNK) throw corrupt('not a chunk record');
  // opcode u8, record length u64, start u64, end u64, uncompressed size u64, CRC u32, compression string, records length u64
  const crc = view.getUint32(1 + 8 + 24, true);
  const compressionLength = view.getUint32(1 + 8 + 28, true);
  const recordsLengthAt = 1 + 8 + 32 + compressionLength;
  if (recordsLengthAt + 8 > bytes.byteLength) throw corrupt('truncated header');
  const recordsLength = Number(view.getBigUint64(recordsLengthAt, true));
  const recordsAt = recordsLengthAt + 8;
  if (recordsAt + recordsLength > bytes.byteLength) throw corrupt('records run past the chunk');
  let records = bytes.subarray(recordsAt, recordsAt + recordsLength);
  if (compressionLength > 0) {
    const decompress = options.decompress[chunk.compression];
    if (decompress === undefined) throw corrupt(`unsupported compression "${chunk.compression}"`);
    records = decompress(records, chunk.uncompressedSize);
  }
  if (options.validateCrcs && crc !== 0 && crc32(records) !== crc) {
    throw corrupt('fails its CRC check: the file is damaged');
  }
  return records;
}

function messagesIn(records: Uint8Array, channels: ReadonlySet<number> | undefined, path: string): ChunkMessage[] {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const out: ChunkMessage[] = [];
  let sorted = true;
  let offset = 0;
  while (offset + 9 <= records.byteLength) {
    const op = view.getUint8(offset);
    const length = Number(view.getBigUint64(offset + 1, true));
    const start = offset + 9;
    const end = start + length;
    if (end > records.byteLength) throw new BagError('bag.corrupt', `${path}: a record runs past its chunk`);
    if (op === OP_MESSAGE && length >= MESSAGE_PREFIX) {
      const channelId = view.getUint16(start, true);
      if (channels === undefined || channels.has(channelId)) {
        const logTime = view.getBigUint64(start + 6, true);
        const prev = out[out.length - 1];
        if (prev !== undefined && logTime < prev.logTime) sorted = false;
        out.push({ channelId, logTime, data: records.subarray(start + MESSAGE_PREFIX, end) });
      }
    }
    offset = end;
  }
  // Array.prototype.sort is stable: equal log times keep their recorded order.
  if (!sorted) out.sort((a, b) => cmp(a.logTime, b.logTime));
  return out;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
