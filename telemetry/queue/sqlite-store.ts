import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TelemetryError } from '../errors.js';
import { makeRoom, type EvictionView } from './eviction.js';
import {
  PRIORITIES,
  PRIORITY_RANK,
  recordSizeBytes,
  zeroByPriority,
  type AppendResult,
  type Priority,
  type QueueRecord,
  type QueueStats,
  type QueueStore,
  type RecordInput,
} from './record.js';

export interface SqliteStoreOptions {
  /** Directory of the queue; created if missing. The database is `<dir>/queue.sqlite`. */
  readonly dir: string;
  readonly maxBytes: number;
  /**
   * `full` (default): SQLite `synchronous=FULL` in WAL mode, so every commit is
   * fsynced before `append` returns: an accepted record survives kill -9 and a
   * power cut. `normal`: the WAL is fsynced only at checkpoints; an accepted
   * record survives kill -9, but a power cut may roll back the last commits.
   */
  readonly sync?: 'full' | 'normal';
  /** How long to wait for another process's lock on the queue at open, ms. Default 1000. */
  readonly lockTimeoutMs?: number;
}

const SCHEMA_VERSION = 1;
const RANK_TO_PRIORITY: readonly Priority[] = ['state', 'record', 'safety'];

interface Row {
  id: number;
  stream: string;
  seq: number;
  priority: number;
  stamp_ms: number;
  data: string;
  size: number;
}

/**
 * The durable queue store: one SQLite database in WAL mode (better-sqlite3).
 * SQLite was chosen over LMDB because its WAL gives a documented, tested
 * crash and power-loss story (`synchronous=FULL`), eviction by priority is one
 * indexed query, and the file opens in any SQLite tool for forensics.
 *
 * The database is opened in exclusive locking mode: a second process that
 * tries to share the queue fails at open instead of interleaving sequence numbers.
 */
export class SqliteQueueStore implements QueueStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly maxBytes: number;
  private readonly fullSync: boolean;
  private bytesBy = zeroByPriority();
  private countBy = zeroByPriority();
  private readonly evictedTotal = zeroByPriority();
  private refusedTotal = 0;
  private seqs = new Map<string, number>();
  private closed = false;
  private readonly stmt: {
    insert: Database.Statement<[string, number, number, number, string, number]>;
    setSeq: Database.Statement<[string, number]>;
    oldest: Database.Statement<[number], { id: number; size: number }>;
    remove: Database.Statement<[number], { priority: number; size: number }>;
    peek: Database.Statement<[number, number], Row>;
  };
  private readonly appendTx: (inputs: readonly RecordInput[]) => AppendResult;
  private readonly ackTx: (ids: readonly number[]) => void;

  constructor(options: SqliteStoreOptions) {
    this.maxBytes = options.maxBytes;
    this.fullSync = options.sync !== 'normal';
    mkdirSync(options.dir, { recursive: true });
    this.path = join(options.dir, 'queue.sqlite');
    try {
      this.db = new Database(this.path, { timeout: options.lockTimeoutMs ?? 1_000 });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
      this.db.pragma('locking_mode = EXCLUSIVE');
      // The WAL is truncated back to this after a checkpoint, so a long outage does not leave a huge file behind.
      this.db.pragma('journal_size_limit = 8388608');
      this.migrate();
    } catch (error) {
      throw new TelemetryError(
        isBusy(error) ? 'telemetry.store_locked' : 'telemetry.store_corrupt',
        isBusy(error)
          ? `telemetry queue ${this.path} is in use by another process`
          : `cannot open telemetry queue ${this.path}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    this.stmt = {
      insert: this.db.prepare(
        'INSERT INTO records (stream, seq, priority, stamp_ms, data, size) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      setSeq: this.db.prepare(
        'INSERT INTO streams (stream, next_seq) VALUES (?, ?) ON CONFLICT(stream) DO UPDATE SET next_seq = excluded.next_seq',
      ),
      oldest: this.db.prepare('SELECT id, size FROM records WHERE priority = ? ORDER BY id LIMIT 1'),
      remove: this.db.prepare('DELETE FROM records WHERE id = ? RETURNING priority, size'),
      peek: this.db.prepare(
        'SELECT id, stream, seq, priority, stamp_ms, data, size FROM records WHERE id > ? ORDER BY id LIMIT ?',
      ),
    };
    this.loadTotals();
    this.appendTx = this.db.transaction((inputs: readonly RecordInput[]) => this.appendInTx(inputs));
    this.ackTx = this.db.transaction((ids: readonly number[]) => {
      for (const id of ids) this.removeRow(id);
    });
  }

  append(inputs: readonly RecordInput[]): AppendResult {
    this.open();
    if (inputs.length === 0) return { accepted: [], refused: [], evicted: zeroByPriority() };
    // Totals are mirrored in memory; a failed transaction must leave them as the disk has them.
    const saved = { bytes: { ...this.bytesBy }, count: { ...this.countBy }, seqs: new Map(this.seqs) };
    try {
      const result = this.appendTx(inputs);
      this.refusedTotal += result.refused.length;
      for (const p of PRIORITIES) this.evictedTotal[p] += result.evicted[p];
      return result;
    } catch (error) {
      this.bytesBy = saved.bytes;
      this.countBy = saved.count;
      this.seqs = saved.seqs;
      throw error;
    }
  }

  peek(afterId: number, limit: number): readonly QueueRecord[] {
    this.open();
    return this.stmt.peek.all(afterId, limit).map((r) => ({
      id: r.id,
      stream: r.stream,
      seq: r.seq,
      priority: RANK_TO_PRIORITY[r.priority] ?? 'record',
      stampMs: r.stamp_ms,
      data: r.data,
      sizeBytes: r.size,
    }));
  }

  ack(ids: readonly number[]): void {
    this.open();
    if (ids.length === 0) return;
    if (!this.fullSync) {
      this.ackTx(ids);
      return;
    }
    // Deletes skip the fsync: one lost to a power cut only sends its record again (delivery is at
    // least once), and the next appended commit's fsync persists it anyway. Appends keep FULL.
    this.db.pragma('synchronous = NORMAL');
    try {
      this.ackTx(ids);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /** The journal mode and fsync level SQLite actually runs with (for health reports and tests). */
  durability(): { journalMode: string; synchronous: 'off' | 'normal' | 'full' | 'extra' } {
    const levels = ['off', 'normal', 'full', 'extra'] as const;
    const level = this.db.pragma('synchronous', { simple: true }) as number;
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: levels[level] ?? 'full',
    };
  }

  nextSeq(stream: string): number {
    return this.seqs.get(stream) ?? 0;
  }

  stats(): QueueStats {
    const byPriority = {} as Record<Priority, { records: number; bytes: number }>;
    let records = 0;
    for (const p of PRIORITIES) {
      byPriority[p] = { records: this.countBy[p], bytes: this.bytesBy[p] };
      records += this.countBy[p];
    }
    return {
      records,
      bytes: this.totalBytes(),
      maxBytes: this.maxBytes,
      byPriority,
      evicted: { ...this.evictedTotal },
      refused: this.refusedTotal,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private appendInTx(inputs: readonly RecordInput[]): AppendResult {
    const accepted: QueueRecord[] = [];
    const refused: RecordInput[] = [];
    const evicted = zeroByPriority();
    const view: EvictionView = {
      bytes: () => this.totalBytes(),
      bytesOf: (p) => this.bytesBy[p],
      evictOldest: (p) => {
        const victim = this.stmt.oldest.get(PRIORITY_RANK[p]);
        if (victim === undefined) return false;
        this.removeRow(victim.id);
        evicted[p]++;
        return true;
      },
    };
    const touched = new Set<string>();
    for (const input of inputs) {
      const sizeBytes = recordSizeBytes(input);
      if (makeRoom(view, input.priority, sizeBytes, this.maxBytes) === 'refused') {
        refused.push(input);
        continue;
      }
      const seq = this.seqs.get(input.stream) ?? 0;
      this.seqs.set(input.stream, seq + 1);
      touched.add(input.stream);
      const info = this.stmt.insert.run(
        input.stream,
        seq,
        PRIORITY_RANK[input.priority],
        input.stampMs,
        input.data,
        sizeBytes,
      );
      this.bytesBy[input.priority] += sizeBytes;
      this.countBy[input.priority]++;
      accepted.push({ ...input, id: Number(info.lastInsertRowid), seq, sizeBytes });
    }
    for (const stream of touched) this.stmt.setSeq.run(stream, this.seqs.get(stream) ?? 0);
    return { accepted, refused, evicted };
  }

  private removeRow(id: number): void {
    const row = this.stmt.remove.get(id);
    if (row === undefined) return;
    const p = RANK_TO_PRIORITY[row.priority] ?? 'record';
    this.bytesBy[p] -= row.size;
    this.countBy[p]--;
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`queue layout version ${version} is newer than this Kestrel understands (${SCHEMA_VERSION})`);
    }
    // AUTOINCREMENT: ids must never be reused, even once the queue has drained, or a forwarder's cursor would skip records.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS records (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        stream TEXT NOT NULL,
        seq INTEGER NOT NULL,
        priority INTEGER NOT NULL,
        stamp_ms REAL NOT NULL,
        data TEXT NOT NULL,
        size INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS records_by_priority ON records (priority, id);
      CREATE TABLE IF NOT EXISTS streams (stream TEXT PRIMARY KEY, next_seq INTEGER NOT NULL);
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
  }

  private loadTotals(): void {
    const rows = this.db
      .prepare<[], { priority: number; n: number; bytes: number }>(
        'SELECT priority, COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM records GROUP BY priority',
      )
      .all();
    for (const r of rows) {
      const p = RANK_TO_PRIORITY[r.priority] ?? 'record';
      this.countBy[p] = r.n;
      this.bytesBy[p] = r.bytes;
    }
    const streams = this.db
      .prepare<[], { stream: string; next_seq: number }>('SELECT stream, next_seq FROM streams')
      .all();
    for (const s of streams) this.seqs.set(s.stream, s.next_seq);
  }

  private totalBytes(): number {
    return this.bytesBy.state + this.bytesBy.record + this.bytesBy.safety;
  }

  private open(): void {
    if (this.closed) throw new TelemetryError('telemetry.queue_closed', 'the telemetry queue store is closed');
  }
}

function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');
}
