import { TelemetryError } from '../errors.js';
import { makeRoom, type EvictionView } from './eviction.js';
import {
  PRIORITIES,
  recordSizeBytes,
  zeroByPriority,
  type AppendResult,
  type Priority,
  type QueueRecord,
  type QueueStats,
  type QueueStore,
  type RecordInput,
} from './record.js';

export interface MemoryStoreOptions {
  readonly maxBytes: number;
}

/**
 * A queue store in memory: same ordering, bound and eviction as the SQLite
 * store, no durability. For unit tests and for embedders that accept losing
 * the backlog with the process.
 */
export class MemoryQueueStore implements QueueStore {
  private readonly maxBytes: number;
  /** Insertion-ordered, so iteration is ascending id. */
  private readonly records = new Map<number, QueueRecord>();
  /** Ids per priority, oldest first; acked ids are skipped lazily. */
  private readonly fifo: Record<Priority, number[]> = { state: [], record: [], safety: [] };
  private readonly bytesBy = zeroByPriority();
  private readonly countBy = zeroByPriority();
  private readonly evictedTotal = zeroByPriority();
  private readonly seqs = new Map<string, number>();
  private nextId = 1;
  private refusedTotal = 0;
  private closed = false;

  constructor(options: MemoryStoreOptions) {
    this.maxBytes = options.maxBytes;
  }

  append(inputs: readonly RecordInput[]): AppendResult {
    this.open();
    const accepted: QueueRecord[] = [];
    const refused: RecordInput[] = [];
    const evicted = zeroByPriority();
    const view: EvictionView = {
      bytes: () => this.totalBytes(),
      bytesOf: (p) => this.bytesBy[p],
      evictOldest: (p) => {
        const id = this.shiftOldest(p);
        if (id === undefined) return false;
        this.remove(id);
        evicted[p]++;
        this.evictedTotal[p]++;
        return true;
      },
    };
    for (const input of inputs) {
      const sizeBytes = recordSizeBytes(input);
      if (makeRoom(view, input.priority, sizeBytes, this.maxBytes) === 'refused') {
        refused.push(input);
        this.refusedTotal++;
        continue;
      }
      const seq = this.seqs.get(input.stream) ?? 0;
      this.seqs.set(input.stream, seq + 1);
      const record: QueueRecord = { ...input, id: this.nextId++, seq, sizeBytes };
      this.records.set(record.id, record);
      this.fifo[input.priority].push(record.id);
      this.bytesBy[input.priority] += sizeBytes;
      this.countBy[input.priority]++;
      accepted.push(record);
    }
    return { accepted, refused, evicted };
  }

  peek(afterId: number, limit: number): readonly QueueRecord[] {
    this.open();
    const out: QueueRecord[] = [];
    for (const r of this.records.values()) {
      if (out.length >= limit) break;
      if (r.id > afterId) out.push(r);
    }
    return out;
  }

  ack(ids: readonly number[]): void {
    this.open();
    for (const id of ids) this.remove(id);
  }

  nextSeq(stream: string): number {
    return this.seqs.get(stream) ?? 0;
  }

  stats(): QueueStats {
    const byPriority = {} as Record<Priority, { records: number; bytes: number }>;
    for (const p of PRIORITIES) byPriority[p] = { records: this.countBy[p], bytes: this.bytesBy[p] };
    return {
      records: this.records.size,
      bytes: this.totalBytes(),
      maxBytes: this.maxBytes,
      byPriority,
      evicted: { ...this.evictedTotal },
      refused: this.refusedTotal,
    };
  }

  close(): void {
    this.closed = true;
  }

  private open(): void {
    if (this.closed) throw new TelemetryError('telemetry.queue_closed', 'the telemetry queue store is closed');
  }

  private totalBytes(): number {
    return this.bytesBy.state + this.bytesBy.record + this.bytesBy.safety;
  }

  private shiftOldest(priority: Priority): number | undefined {
    const ids = this.fifo[priority];
    for (;;) {
      const id = ids.shift();
      if (id === undefined || this.records.has(id)) return id;
    }
  }

  private remove(id: number): void {
    const r = this.records.get(id);
    if (r === undefined) return;
    this.records.delete(id);
    this.bytesBy[r.priority] -= r.sizeBytes;
    this.countBy[r.priority]--;
  }
}
