import { McapIndexedReader, type IReadable } from '@mcap/core';
import { decompress as zstdDecompress } from 'fzstd';
import { ChunkCrcReadable, type ChunkReadOptions } from './chunk-crc.js';
import { BagError } from './errors.js';
import { chunksInOrder, readChunkMessages } from './mcap-chunk-reader.js';
import {
  RECORDING_METADATA,
  type BagInfo,
  type BagMessage,
  type BagReader,
  type BagSchema,
  type BagTopic,
  type ReadOptions,
  type RecordingSpan,
} from './types.js';

/**
 * Chunk decompressors. zstd is what `ros2 bag record -s mcap` writes with
 * compression on; fzstd is pure JS (no native build, no download). The output
 * buffer is sized from the chunk record so it is allocated once.
 */
const DECOMPRESS = {
  zstd: (data: Uint8Array, size: bigint): Uint8Array => zstdDecompress(data, new Uint8Array(Number(size))),
};

/**
 * Opens a rosbag2 MCAP file (profile `ros2`, cdr messages). Needs the summary
 * section (indexes, statistics) that rosbag2 writes when it closes the file;
 * the MCAP parser itself never touches the file system: it reads through
 * `readable`.
 */
export async function openMcapBag(readable: IReadable, path: string, close: () => Promise<void>): Promise<BagReader> {
  let reader: McapIndexedReader;
  const checked = new ChunkCrcReadable(readable, path);
  try {
    reader = await McapIndexedReader.Initialize({
      readable: checked,
      decompressHandlers: { zstd: checked.checked(DECOMPRESS.zstd) },
    });
  } catch (error) {
    throw new BagError(
      'bag.corrupt',
      `${path}: not a readable indexed MCAP file (was the recording cut short? \`mcap recover\` rebuilds the index): ${messageOf(error)}`,
      { cause: error },
    );
  }
  const unsupported = reader.chunkIndexes.map((c) => c.compression).find((c) => c !== '' && !(c in DECOMPRESS));
  if (unsupported !== undefined) {
    throw new BagError(
      'bag.unsupported_encoding',
      `${path}: chunks are compressed with "${unsupported}"; Kestrel reads uncompressed and zstd chunks`,
    );
  }
  checked.setChunkStarts(reader.chunkIndexes.map((c) => c.chunkStartOffset));
  const info = await mcapInfo(reader, path);
  const topicByChannel = new Map<number, string>();
  for (const [id, channel] of reader.channelsById) topicByChannel.set(id, channel.topic);
  const channelsFor = (topics: readonly string[]): Set<number> => {
    const wanted = new Set(topics);
    return new Set([...topicByChannel].filter(([, t]) => wanted.has(t)).map(([id]) => id));
  };
  const inOrder = chunksInOrder(reader.chunkIndexes);

  return {
    info,
    async *messages(options: ReadOptions = {}): AsyncGenerator<BagMessage> {
      const validateCrcs = options.validateCrcs ?? true;
      if (inOrder) {
        const channels = options.topics === undefined ? undefined : channelsFor(options.topics);
        const messages = readChunkMessages(readable, reader.chunkIndexes, channels, {
          validateCrcs,
          path,
          decompress: DECOMPRESS,
        });
        for await (const m of messages) {
          yield { topic: topicByChannel.get(m.channelId) ?? '', logTimeNs: m.logTime, data: m.data };
        }
        return;
      }
      // Chunks that overlap in time need the library's merge over message indexes (it copies message data).
      const args = {
        // The library's JS CRC is off; ChunkCrcReadable checks with zlib's native one instead.
        validateCrcs: false,
        readOptions: { validateCrcs } satisfies ChunkReadOptions,
        ...(options.topics === undefined ? {} : { topics: options.topics }),
      };
      for await (const m of reader.readMessages(args)) {
        yield { topic: topicByChannel.get(m.channelId) ?? '', logTimeNs: m.logTime, data: m.data };
      }
    },
    close,
  };
}

async function mcapInfo(reader: McapIndexedReader, path: string): Promise<BagInfo> {
  const stats = reader.statistics;
  let counts: ReadonlyMap<number, bigint> | undefined = stats?.channelMessageCounts;
  let startNs = stats?.messageStartTime;
  let endNs = stats?.messageEndTime;
  if (counts === undefined || stats === undefined) {
    // No statistics record (optional in MCAP): count by reading every message once.
    const tally = new Map<number, bigint>();
    for await (const m of reader.readMessages()) {
      tally.set(m.channelId, (tally.get(m.channelId) ?? 0n) + 1n);
      if (startNs === undefined || m.logTime < startNs) startNs = m.logTime;
      if (endNs === undefined || m.logTime > endNs) endNs = m.logTime;
    }
    counts = tally;
  }
  const topics: BagTopic[] = [];
  for (const [id, channel] of reader.channelsById) {
    const s = reader.schemasById.get(channel.schemaId);
    const schema: BagSchema | undefined =
      s === undefined ? undefined : { name: s.name, encoding: s.encoding, text: TEXT.decode(s.data) };
    topics.push({
      name: channel.topic,
      type: s?.name ?? channel.metadata.get('type') ?? '',
      serializationFormat: channel.messageEncoding,
      messageCount: Number(counts.get(id) ?? 0n),
      ...(schema === undefined ? {} : { schema }),
    });
  }
  topics.sort((a, b) => a.name.localeCompare(b.name));
  const messageCount = topics.reduce((n, t) => n + t.messageCount, 0);
  const compression = [...new Set(reader.chunkIndexes.map((c) => c.compression).filter((c) => c !== ''))];
  const recording = await recordingSpan(reader);
  return {
    path,
    storage: 'mcap',
    compression,
    topics,
    messageCount,
    startNs: messageCount === 0 ? undefined : startNs,
    endNs: messageCount === 0 ? undefined : endNs,
    ...(recording === undefined ? {} : { recording }),
  };
}

/** The `kestrel.recording` metadata, when the bag has a well-formed one (other recorders' bags do not). */
async function recordingSpan(reader: McapIndexedReader): Promise<RecordingSpan | undefined> {
  if (!reader.metadataIndexes.some((m) => m.name === RECORDING_METADATA)) return undefined;
  for await (const m of reader.readMetadata({ name: RECORDING_METADATA })) {
    const start = parseNs(m.metadata.get('start_time_ns'));
    const end = parseNs(m.metadata.get('end_time_ns'));
    if (start !== undefined && end !== undefined && end >= start) return { startNs: start, endNs: end };
  }
  return undefined;
}

function parseNs(text: string | undefined): bigint | undefined {
  return text !== undefined && /^\d{1,20}$/.test(text) ? BigInt(text) : undefined;
}

/** One decoder for every schema text (mcap's Reader does the same to spare the GC). */
const TEXT = new TextDecoder();

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
