/**
 * What the store-and-forward queue holds. A store keeps records in one global
 * order (ascending `id`), which is also the order of each stream (`seq`), so a
 * forwarder that sends in `id` order delivers every stream in order.
 */

/**
 * Eviction class, lowest first out when the disk bound is reached:
 * `state` (high-rate snapshots), then `record` (detections, targets, health),
 * never `safety` (events, guard decisions).
 */
export type Priority = 'state' | 'record' | 'safety';

/** Numeric rank stored on disk; a record may only displace records of equal or lower rank. */
export const PRIORITY_RANK: Readonly<Record<Priority, number>> = { state: 0, record: 1, safety: 2 };
export const PRIORITIES: readonly Priority[] = ['state', 'record', 'safety'];

/**
 * Bytes charged per record on top of its data and stream name: the row's key,
 * columns and index entry. The bound counts these logical bytes, not the file
 * size, so it is exact and the same for every store.
 */
export const RECORD_OVERHEAD_BYTES = 64;

export interface RecordInput {
  /** Stream name, e.g. `events`; one ordered sequence per stream. */
  readonly stream: string;
  readonly priority: Priority;
  /** Source time of the record, epoch ms. */
  readonly stampMs: number;
  /** The record's body, already encoded (JSON text today; room for a compact encoding). */
  readonly data: string;
}

export interface QueueRecord extends RecordInput {
  /** Global, strictly increasing, never reused (not even after the queue empties or reopens). */
  readonly id: number;
  /** Per-stream sequence number from 0, strictly increasing, never reused. */
  readonly seq: number;
  /** Bytes charged against the bound. */
  readonly sizeBytes: number;
}

export interface AppendResult {
  /** Stored records, in input order (refused inputs are absent). */
  readonly accepted: readonly QueueRecord[];
  /** Inputs that could not be stored: nothing they may displace was left. */
  readonly refused: readonly RecordInput[];
  /** Records evicted to make room, per priority. */
  readonly evicted: Readonly<Record<Priority, number>>;
}

export interface QueueStats {
  readonly records: number;
  readonly bytes: number;
  readonly maxBytes: number;
  readonly byPriority: Readonly<Record<Priority, { readonly records: number; readonly bytes: number }>>;
  /** Since this store was opened. */
  readonly evicted: Readonly<Record<Priority, number>>;
  readonly refused: number;
}

/**
 * A store behind the telemetry queue. Calls are synchronous: when `append`
 * returns, the accepted records are as durable as the store promises (the
 * SQLite store: on disk and fsynced). Every implementation passes
 * `test/telemetry/queue-contract.ts`.
 */
export interface QueueStore {
  /** Stores the inputs in one atomic step, evicting by priority to stay within `maxBytes`. */
  append(inputs: readonly RecordInput[]): AppendResult;
  /** Up to `limit` records with `id > afterId`, ascending by id. */
  peek(afterId: number, limit: number): readonly QueueRecord[];
  /** Removes delivered records. Unknown ids (already evicted or acked) are ignored. */
  ack(ids: readonly number[]): void;
  /** Next `seq` the stream will get. */
  nextSeq(stream: string): number;
  stats(): QueueStats;
  close(): void;
}

export function recordSizeBytes(input: RecordInput): number {
  return Buffer.byteLength(input.data, 'utf8') + Buffer.byteLength(input.stream, 'utf8') + RECORD_OVERHEAD_BYTES;
}

export function zeroByPriority(): Record<Priority, number> {
  return { state: 0, record: 0, safety: 0 };
}
