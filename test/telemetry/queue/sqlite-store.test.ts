import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteQueueStore, TelemetryError, type QueueStore } from '../../../telemetry/index.js';
import { queueContract } from '../queue-contract.js';

const root = mkdtempSync(join(tmpdir(), 'kestrel-sqlite-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dirs = new WeakMap<QueueStore, string>();

function open(dir: string, maxBytes: number, sync?: 'full' | 'normal'): SqliteQueueStore {
  const s = new SqliteQueueStore({ dir, maxBytes, lockTimeoutMs: 50, ...(sync === undefined ? {} : { sync }) });
  dirs.set(s, dir);
  return s;
}

queueContract('SqliteQueueStore', {
  create: (maxBytes) => open(join(root, `s${n++}`), maxBytes),
  reopen: (store, maxBytes) => {
    const dir = dirs.get(store)!;
    store.close();
    return open(dir, maxBytes);
  },
});

describe('SqliteQueueStore', () => {
  it('EXPECTED FAILURE - a second opener of the same queue gets telemetry.store_locked', () => {
    const dir = join(root, 'locked');
    const a = open(dir, 1_000_000);
    let caught: unknown;
    try {
      open(dir, 1_000_000);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TelemetryError);
    expect((caught as TelemetryError).code).toBe('telemetry.store_locked');
    a.close();
  });

  it('runs WAL with synchronous=FULL by default (an fsync per commit), NORMAL on request', () => {
    const s = open(join(root, 'pragmas'), 1_000);
    expect(s.durability()).toEqual({ journalMode: 'wal', synchronous: 'full' });
    s.close();
    const t = open(join(root, 'pragmas-normal'), 1_000, 'normal');
    expect(t.durability()).toEqual({ journalMode: 'wal', synchronous: 'normal' });
    t.close();
  });
});
