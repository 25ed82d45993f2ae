/**
 * What a rosbag2 reader hands out, whatever the storage (MCAP or sqlite3).
 * Times are nanoseconds since the Unix epoch as bigint: rosbag2 stores int64
 * ns, and a double loses the nanoseconds after 2^53 ns (104 days).
 */

export type BagStorage = 'mcap' | 'sqlite3';

/** A message definition stored in the bag (MCAP schema, or sqlite3 `message_definitions`). */
export interface BagSchema {
  /** Type name as stored, e.g. `sensor_msgs/msg/Imu`. */
  readonly name: string;
  /** `ros2msg`, `ros2idl`, ... */
  readonly encoding: string;
  readonly text: string;
}

export interface BagTopic {
  readonly name: string;
  /** Type name as stored: new style `sensor_msgs/msg/Image` or old style `sensor_msgs/Image`. */
  readonly type: string;
  /** `cdr` for every rosbag2 bag Kestrel reads. */
  readonly serializationFormat: string;
  readonly messageCount: number;
  /** Absent when the bag stores no definition for the type (older sqlite3 bags). */
  readonly schema?: BagSchema;
}

export interface BagInfo {
  readonly path: string;
  readonly storage: BagStorage;
  /** Chunk compressions in use (MCAP), e.g. `['zstd']`; empty when uncompressed. */
  readonly compression: readonly string[];
  readonly topics: readonly BagTopic[];
  readonly messageCount: number;
  /** Log time of the first message; undefined for an empty bag. */
  readonly startNs: bigint | undefined;
  readonly endNs: bigint | undefined;
  /**
   * When the recorder itself started and stopped, ns since epoch, where the
   * bag says (Kestrel's `kestrel.recording` MCAP metadata). The span is wider
   * than the messages': a run starts before its first sensor message and
   * decides after its last one, and a faithful replay keeps both margins.
   */
  readonly recording?: RecordingSpan;
}

/** The recorder's own start and stop, ns since epoch. */
export interface RecordingSpan {
  readonly startNs: bigint;
  readonly endNs: bigint;
}

/** Name of the MCAP metadata record that carries the `RecordingSpan` (keys `start_time_ns`, `end_time_ns`). */
export const RECORDING_METADATA = 'kestrel.recording';

/** One serialized message. `data` is borrowed from the reader's buffer: copy it to keep it past the next read. */
export interface BagMessage {
  readonly topic: string;
  /** When the recorder received it (rosbag2 `timestamp` / MCAP `logTime`), ns since epoch. */
  readonly logTimeNs: bigint;
  readonly data: Uint8Array;
}

export interface ReadOptions {
  /** Only these topics; all when absent. */
  readonly topics?: readonly string[];
  /**
   * Check each MCAP chunk's CRC32 (default true). Done with zlib's native
   * crc32 (about 0.5 ms per 640x480 rgb8 frame, a third of the JS one);
   * replaying a bag already checked once may turn it off.
   */
  readonly validateCrcs?: boolean;
}

/** A rosbag2 file opened for reading. Messages come in log-time order. */
export interface BagReader {
  readonly info: BagInfo;
  messages(options?: ReadOptions): AsyncIterable<BagMessage>;
  close(): Promise<void>;
}
