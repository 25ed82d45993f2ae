import { McapWriter, type IWritable, type McapWriterOptions } from '@mcap/core';
import { stringify } from '@foxglove/rosmsg';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import { BagError } from './errors.js';
import { builtinDefinitions, type MessageDefinitions } from './message-definitions.js';
import { canonicalRosType, shortRosType } from './ros-type-name.js';

interface TopicWriter {
  readonly channelId: number;
  readonly cdr: MessageWriter;
  sequence: number;
}

/**
 * Writes a rosbag2-compatible MCAP (profile `ros2`, `ros2msg` schemas, `cdr`
 * messages) for the common message types Kestrel knows. Used by the fixture
 * builder and the benchmark today; the seed of `kestrel run --record`.
 * Output goes through `writable`, so it can be a file or memory.
 */
export class McapBagWriter {
  private readonly topics = new Map<string, TopicWriter>();
  private readonly schemas = new Map<string, number>();

  private constructor(private readonly mcap: McapWriter) {}

  /**
   * `chunkSizeBytes`: MCAP's default is 1 MiB; a 640x480 image then fills one chunk.
   * `compressChunk`: MCAP's chunk compressor hook (none by default: Node 20 has no zstd encoder).
   */
  static async create(
    writable: IWritable,
    options: { chunkSizeBytes?: number; compressChunk?: McapWriterOptions['compressChunk'] } = {},
  ): Promise<McapBagWriter> {
    const mcap = new McapWriter({
      writable,
      useStatistics: true,
      useChunks: true,
      useChunkIndex: true,
      useMessageIndex: true,
      useSummaryOffsets: true,
      ...(options.chunkSizeBytes === undefined ? {} : { chunkSize: options.chunkSizeBytes }),
      ...(options.compressChunk === undefined ? {} : { compressChunk: options.compressChunk }),
    });
    await mcap.start({ profile: 'ros2', library: 'kestrel' });
    return new McapBagWriter(mcap);
  }

  async addTopic(topic: string, type: string): Promise<void> {
    const canonical = canonicalRosType(type);
    const defs = builtinDefinitions(canonical);
    if (defs === undefined) throw new BagError('bag.no_definition', `no built-in definition for ${type}`);
    let schemaId = this.schemas.get(canonical);
    if (schemaId === undefined) {
      schemaId = await this.mcap.registerSchema({
        name: canonical,
        encoding: 'ros2msg',
        data: new TextEncoder().encode(stringify(closure(defs))),
      });
      this.schemas.set(canonical, schemaId);
    }
    const channelId = await this.mcap.registerChannel({
      topic,
      schemaId,
      messageEncoding: 'cdr',
      metadata: new Map([['offered_qos_profiles', '']]),
    });
    this.topics.set(topic, { channelId, cdr: new MessageWriter(defs), sequence: 0 });
  }

  /** Serializes `message` (ROS field names) and writes it at `logTimeNs`. */
  async write(topic: string, logTimeNs: bigint, message: object): Promise<void> {
    const t = this.topicWriter(topic);
    await this.writeRaw(topic, logTimeNs, t.cdr.writeMessage(message));
  }

  /** Writes an already serialized CDR message. */
  async writeRaw(topic: string, logTimeNs: bigint, data: Uint8Array): Promise<void> {
    const t = this.topicWriter(topic);
    await this.mcap.addMessage({
      channelId: t.channelId,
      sequence: t.sequence++,
      logTime: logTimeNs,
      publishTime: logTimeNs,
      data,
    });
  }

  /** Serializes without writing: for building a message once and writing it many times. */
  serialize(topic: string, message: object): Uint8Array {
    return this.topicWriter(topic).cdr.writeMessage(message);
  }

  /** Writes an MCAP metadata record (indexed in the summary, so readers find it without a scan). */
  async addMetadata(name: string, metadata: ReadonlyMap<string, string>): Promise<void> {
    await this.mcap.addMetadata({ name, metadata: new Map(metadata) });
  }

  async close(): Promise<void> {
    await this.mcap.end();
  }

  private topicWriter(topic: string): TopicWriter {
    const t = this.topics.get(topic);
    if (t === undefined) throw new BagError('bag.unknown_topic', `addTopic("${topic}", type) first`);
    return t;
  }
}

/** The root definition and the types it uses, transitively: a schema carries exactly those (as `ros2 bag` writes it). */
function closure(defs: MessageDefinitions): MessageDefinitions {
  const byName = new Map(defs.map((d) => [d.name ?? '', d]));
  const root = defs[0];
  if (root === undefined) return defs;
  // stringify writes the root without a `MSG:` line only when it has no name.
  const out: MessageDefinitions = [{ definitions: root.definitions }];
  const seen = new Set<string>([root.name ?? '']);
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const field of next.definitions) {
      if (field.isComplex !== true || seen.has(field.type)) continue;
      seen.add(field.type);
      const d = byName.get(field.type) ?? byName.get(shortRosType(field.type));
      if (d === undefined) continue;
      out.push(d);
      queue.push(d);
    }
  }
  return out;
}
