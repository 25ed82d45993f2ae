/**
 * The warm memory: captures on disk in one SQLite database (better-sqlite3),
 * frames as encoded JPEG/PNG blobs, bounded by a byte quota.
 *
 * Accounting. A capture's size is what it occupies on disk, counted in whole
 * database pages: each frame row (image + detections JSON + pose JSON + 64
 * bytes of row overhead) rounded up to the page size, plus one page for the
 * capture row. Counting whole pages over-estimates small rows, so the
 * database file stays within the quota plus its fixed schema and index pages
 * (pages freed by eviction are reused by the next insert; the WAL is
 * truncated back to 1 MiB after each checkpoint).
 *
 * Eviction order, when a new capture does not fit in `maxBytes`:
 *   1. captures not marked by an operator, lowest `priority` first, and
 *      within one priority the oldest (`created_ms`, then insertion order) first;
 *   2. only then operator-marked captures, in the same order.
 * A new capture may displace only captures that rank at or below it
 * (operator-marked ranks above every unmarked one, then by priority) and
 * counts as the newest of its rank. If what it may displace is not enough,
 * or it is larger than the whole quota, it is refused and nothing is evicted.
 * Eviction and the insert commit in one transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Detection } from '../../runtime/index.js';
import { CaptureStoreError } from '../errors.js';
import type { TriggerKind } from './triggers.js';

const STORE_KIND = 'kestrel-capture-store';
const SCHEMA_VERSION = 1;
const ROW_OVERHEAD_BYTES = 64;

/** Pose as stored with each frame: local ENU metres and yaw. */
export interface StoredPose {
  readonly stampMs: number | undefined;
  readonly frameId: string;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly yawRad: number;
  readonly source: string;
}

export interface FrameInput {
  readonly stampMs: number;
  readonly isTrigger: boolean;
  readonly width: number;
  readonly height: number;
  readonly format: 'jpeg' | 'png';
  readonly image: Uint8Array;
  /** The model's output for this frame (pixels): the pre-labels. Undefined: perception did not run on it. */
  readonly detections: readonly Detection[] | undefined;
  readonly pose: StoredPose | undefined;
}

export interface CaptureInput {
  readonly createdMs: number;
  readonly trigger: TriggerKind;
  readonly priority: number;
  readonly operatorMarked: boolean;
  readonly camera: string;
  readonly anchorStampMs: number;
  readonly mission: string;
  readonly modelId: string | undefined;
  readonly modelSha256: string | undefined;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly frames: readonly FrameInput[];
}

export interface ModelInfo {
  readonly sha256: string;
  readonly modelId: string;
  readonly classNames: readonly string[];
}

export type PutResult =
  | { readonly stored: true; readonly id: number; readonly bytes: number; readonly evicted: readonly number[] }
  | { readonly stored: false; readonly reason: 'too_large' | 'no_room'; readonly bytes: number };

export interface CaptureRow {
  readonly id: number;
  readonly createdMs: number;
  readonly trigger: TriggerKind;
  readonly priority: number;
  readonly operatorMarked: boolean;
  readonly camera: string;
  readonly anchorStampMs: number;
  readonly mission: string;
  readonly modelId: string | null;
  readonly modelSha256: string | null;
  readonly detail: Record<string, unknown>;
  readonly bytes: number;
}

export interface FrameRow {
  readonly id: number;
  readonly captureId: number;
  readonly seq: number;
  readonly stampMs: number;
  readonly isTrigger: boolean;
  readonly width: number;
  readonly height: number;
  readonly format: 'jpeg' | 'png';
  readonly image: Buffer;
  readonly detections: readonly Detection[] | null;
  readonly pose: StoredPose | null;
  /** Corrected labels (YOLO text) imported by `kestrel data import`, if any. */
  readonly labels: string | null;
}

export interface StoreStats {
  readonly captures: number;
  readonly frames: number;
  readonly bytes: number;
  readonly maxBytes: number;
  readonly stored: number;
  readonly evicted: number;
  readonly refused: number;
}

interface RawCapture {
  id: number;
  created_ms: number;
  trigger: string;
  priority: number;
  operator_marked: number;
  camera: string;
  anchor_stamp_ms: number;
  mission: string;
  model_id: string | null;
  model_sha256: string | null;
  detail: string;
  bytes: number;
}

interface RawFrame {
  id: number;
  capture_id: number;
  seq: number;
  stamp_ms: number;
  is_trigger: number;
  width: number;
  height: number;
  format: string;
  image: Buffer;
  detections: string | null;
  pose: string | null;
  labels: string | null;
}

export interface CaptureStoreOptions {
  readonly path: string;
  /** Byte quota. Needed to write; a store opened only to read (export) may leave it out. */
  readonly maxBytes?: number;
  /** Refuse to create a new database (export and import work on an existing one). */
  readonly mustExist?: boolean;
}

export class CaptureStore {
  readonly path: string;
  readonly maxBytes: number;
  readonly pageSize: number;
  private readonly db: Database.Database;
  private totalBytes = 0;
  private closed = false;
  private counters = { stored: 0, evicted: 0, refused: 0 };
  private readonly putTx: (input: CaptureInput, bytes: number) => PutResult;
  private readonly stmt: {
    displaceable: Database.Statement<[number, number, number], { b: number }>;
    victims: Database.Statement<[], { id: number; bytes: number }>;
    remove: Database.Statement<[number]>;
    insertCapture: Database.Statement<
      [number, string, number, number, string, number, string, string | null, string | null, string, number]
    >;
    insertFrame: Database.Statement<
      [number, number, number, number, number, number, string, Buffer, string | null, string | null]
    >;
  };

  constructor(options: CaptureStoreOptions) {
    this.path = options.path;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    try {
      if (options.mustExist !== true) mkdirSync(dirname(options.path), { recursive: true });
      this.db = new Database(options.path, { fileMustExist: options.mustExist === true });
      this.db.pragma('journal_mode = WAL');
      // A capture lost to a power cut is a lost sample, not a safety record: skip the fsync per commit.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('wal_autocheckpoint = 256');
      this.db.pragma('journal_size_limit = 1048576');
      this.migrate();
    } catch (error) {
      if (error instanceof CaptureStoreError) throw error;
      throw new CaptureStoreError(
        'capture.store_invalid',
        `cannot open capture store ${options.path}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    this.pageSize = Number(this.db.pragma('page_size', { simple: true }));
    this.totalBytes = (this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM captures').get() as { b: number }).b;
    this.stmt = {
      displaceable: this.db.prepare(
        'SELECT COALESCE(SUM(bytes), 0) AS b FROM captures WHERE operator_marked < ? OR (operator_marked = ? AND priority <= ?)',
      ),
      victims: this.db.prepare(
        'SELECT id, bytes FROM captures ORDER BY operator_marked, priority, created_ms, id LIMIT 64',
      ),
      remove: this.db.prepare('DELETE FROM captures WHERE id = ?'),
      insertCapture: this.db.prepare(
        `INSERT INTO captures (created_ms, trigger, priority, operator_marked, camera, anchor_stamp_ms, mission, model_id, model_sha256, detail, bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertFrame: this.db.prepare(
        `INSERT INTO frames (capture_id, seq, stamp_ms, is_trigger, width, height, format, image, detections, pose)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
    this.putTx = this.db.transaction((input: CaptureInput, bytes: number) => this.putInTx(input, bytes));
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const kind = this.db.prepare("SELECT value FROM meta WHERE key = 'kind'").get() as { value: string } | undefined;
    const tables = this.db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
      n: number;
    };
    if (kind === undefined && tables.n > 1) {
      throw new CaptureStoreError('capture.store_invalid', `${this.path} is a SQLite database but not a capture store`);
    }
    if (kind !== undefined && kind.value !== STORE_KIND) {
      throw new CaptureStoreError('capture.store_invalid', `${this.path} is a ${kind.value}, not a capture store`);
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS captures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_ms INTEGER NOT NULL,
        trigger TEXT NOT NULL,
        priority INTEGER NOT NULL,
        operator_marked INTEGER NOT NULL,
        camera TEXT NOT NULL,
        anchor_stamp_ms INTEGER NOT NULL,
        mission TEXT NOT NULL,
        model_id TEXT,
        model_sha256 TEXT,
        detail TEXT NOT NULL,
        bytes INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS captures_eviction ON captures (operator_marked, priority, created_ms, id);
      CREATE TABLE IF NOT EXISTS frames (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        capture_id INTEGER NOT NULL REFERENCES captures (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        stamp_ms INTEGER NOT NULL,
        is_trigger INTEGER NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        format TEXT NOT NULL,
        image BLOB NOT NULL,
        detections TEXT,
        pose TEXT,
        UNIQUE (capture_id, seq)
      );
      CREATE TABLE IF NOT EXISTS labels (
        frame_id INTEGER PRIMARY KEY REFERENCES frames (id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        source TEXT NOT NULL,
        imported_ms INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS models (
        sha256 TEXT PRIMARY KEY,
        model_id TEXT NOT NULL,
        class_names TEXT NOT NULL
      );
    `);
    this.db
      .prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('kind', ?), ('schema', ?)")
      .run(STORE_KIND, String(SCHEMA_VERSION));
  }

  /** What a capture counts against the quota (see the header). */
  sizeOf(input: CaptureInput): number {
    const page = this.pageSize;
    const round = (n: number): number => Math.ceil(n / page) * page;
    let bytes = page;
    for (const f of input.frames) {
      bytes += round(
        f.image.byteLength +
          (f.detections === undefined ? 0 : JSON.stringify(f.detections).length) +
          (f.pose === undefined ? 0 : JSON.stringify(f.pose).length) +
          ROW_OVERHEAD_BYTES,
      );
    }
    return bytes;
  }

  /** Stores a capture, evicting by the documented order to make room, or refuses it. */
  put(input: CaptureInput): PutResult {
    this.open();
    const bytes = this.sizeOf(input);
    if (bytes > this.maxBytes) {
      this.counters.refused++;
      return { stored: false, reason: 'too_large', bytes };
    }
    const saved = this.totalBytes;
    try {
      const result = this.putTx(input, bytes);
      if (result.stored) {
        this.counters.stored++;
        this.counters.evicted += result.evicted.length;
      } else this.counters.refused++;
      return result;
    } catch (error) {
      this.totalBytes = saved;
      throw error;
    }
  }

  private putInTx(input: CaptureInput, bytes: number): PutResult {
    const marked = input.operatorMarked ? 1 : 0;
    if (this.totalBytes + bytes > this.maxBytes) {
      // Decide before evicting: a capture that cannot fit must not cost anyone else their place.
      const displaceable = this.stmt.displaceable.get(marked, marked, input.priority)?.b ?? 0;
      if (this.totalBytes - displaceable + bytes > this.maxBytes) return { stored: false, reason: 'no_room', bytes };
    }
    const evicted: number[] = [];
    while (this.totalBytes + bytes > this.maxBytes) {
      const batch = this.stmt.victims.all();
      if (batch.length === 0) break;
      for (const v of batch) {
        if (this.totalBytes + bytes <= this.maxBytes) break;
        this.stmt.remove.run(v.id);
        this.totalBytes -= v.bytes;
        evicted.push(v.id);
      }
    }
    const info = this.stmt.insertCapture.run(
      Math.trunc(input.createdMs),
      input.trigger,
      input.priority,
      marked,
      input.camera,
      Math.trunc(input.anchorStampMs),
      input.mission,
      input.modelId ?? null,
      input.modelSha256 ?? null,
      JSON.stringify(input.detail),
      bytes,
    );
    const id = Number(info.lastInsertRowid);
    input.frames.forEach((f, seq) => {
      this.stmt.insertFrame.run(
        id,
        seq,
        Math.trunc(f.stampMs),
        f.isTrigger ? 1 : 0,
        f.width,
        f.height,
        f.format,
        Buffer.from(f.image.buffer, f.image.byteOffset, f.image.byteLength),
        f.detections === undefined ? null : JSON.stringify(f.detections),
        f.pose === undefined ? null : JSON.stringify(f.pose),
      );
    });
    this.totalBytes += bytes;
    return { stored: true, id, bytes, evicted };
  }

  /** Records a model's identity and class names (once per sha256). */
  recordModel(info: ModelInfo): void {
    this.open();
    this.db
      .prepare('INSERT OR REPLACE INTO models (sha256, model_id, class_names) VALUES (?, ?, ?)')
      .run(info.sha256, info.modelId, JSON.stringify(info.classNames));
  }

  models(): ModelInfo[] {
    this.open();
    return (
      this.db.prepare('SELECT sha256, model_id, class_names FROM models ORDER BY sha256').all() as {
        sha256: string;
        model_id: string;
        class_names: string;
      }[]
    ).map((r) => ({ sha256: r.sha256, modelId: r.model_id, classNames: JSON.parse(r.class_names) as string[] }));
  }

  /** Every capture, oldest first. */
  captures(): CaptureRow[] {
    this.open();
    return (this.db.prepare('SELECT * FROM captures ORDER BY created_ms, id').all() as RawCapture[]).map(toCapture);
  }

  capture(id: number): CaptureRow | undefined {
    this.open();
    const raw = this.db.prepare('SELECT * FROM captures WHERE id = ?').get(id) as RawCapture | undefined;
    return raw === undefined ? undefined : toCapture(raw);
  }

  /** A capture's frames, oldest first, with any imported labels. */
  frames(captureId: number): FrameRow[] {
    this.open();
    return (
      this.db
        .prepare(
          'SELECT f.*, l.text AS labels FROM frames f LEFT JOIN labels l ON l.frame_id = f.id WHERE f.capture_id = ? ORDER BY f.seq',
        )
        .all(captureId) as RawFrame[]
    ).map(toFrame);
  }

  /** The frame `seq` of capture `captureId`, or undefined (evicted since export, or never there). */
  frameId(captureId: number, seq: number): number | undefined {
    this.open();
    const r = this.db.prepare('SELECT id FROM frames WHERE capture_id = ? AND seq = ?').get(captureId, seq) as
      { id: number } | undefined;
    return r?.id;
  }

  /** Stores corrected labels beside a frame's pre-labels (replacing an earlier import). */
  setLabels(frameId: number, text: string, source: string, importedMs: number): void {
    this.open();
    this.db
      .prepare(
        'INSERT INTO labels (frame_id, text, source, imported_ms) VALUES (?, ?, ?, ?) ON CONFLICT (frame_id) DO UPDATE SET text = excluded.text, source = excluded.source, imported_ms = excluded.imported_ms',
      )
      .run(frameId, text, source, Math.trunc(importedMs));
  }

  /** Many frames' corrected labels in one transaction: an import lands whole or not at all. */
  setLabelsMany(items: readonly { frameId: number; text: string }[], source: string, importedMs: number): void {
    this.open();
    this.db.transaction(() => {
      for (const i of items) this.setLabels(i.frameId, i.text, source, importedMs);
    })();
  }

  stats(): StoreStats {
    this.open();
    const c = this.db.prepare('SELECT COUNT(*) AS n FROM captures').get() as { n: number };
    const f = this.db.prepare('SELECT COUNT(*) AS n FROM frames').get() as { n: number };
    return { captures: c.n, frames: f.n, bytes: this.totalBytes, maxBytes: this.maxBytes, ...this.counters };
  }

  /** Bytes counted against the quota now. */
  get bytes(): number {
    return this.totalBytes;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private open(): void {
    if (this.closed) throw new CaptureStoreError('capture.store_closed', `capture store ${this.path} is closed`);
  }
}

function toCapture(r: RawCapture): CaptureRow {
  return {
    id: r.id,
    createdMs: r.created_ms,
    trigger: r.trigger as TriggerKind,
    priority: r.priority,
    operatorMarked: r.operator_marked === 1,
    camera: r.camera,
    anchorStampMs: r.anchor_stamp_ms,
    mission: r.mission,
    modelId: r.model_id,
    modelSha256: r.model_sha256,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    bytes: r.bytes,
  };
}

function toFrame(r: RawFrame): FrameRow {
  return {
    id: r.id,
    captureId: r.capture_id,
    seq: r.seq,
    stampMs: r.stamp_ms,
    isTrigger: r.is_trigger === 1,
    width: r.width,
    height: r.height,
    format: r.format === 'png' ? 'png' : 'jpeg',
    image: r.image,
    detections: r.detections === null ? null : (JSON.parse(r.detections) as Detection[]),
    pose: r.pose === null ? null : (JSON.parse(r.pose) as StoredPose),
    labels: r.labels,
  };
}
