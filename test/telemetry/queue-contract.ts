/**
 * The contract every telemetry queue store meets (in the manner of MQTT.js
 * test/node/abstract_store.ts): run it with a factory for the store under
 * test. `reopen`, when given, closes and reopens the same store to check
 * what must survive a restart.
 */
import { describe, expect, it } from 'vitest';
import {
  RECORD_OVERHEAD_BYTES,
  TelemetryError,
  type Priority,
  type QueueStore,
  type RecordInput,
} from '../../telemetry/index.js';

export interface StoreFactory {
  /** A fresh, empty store with this bound. */
  create: (maxBytes: number) => QueueStore;
  /** Closes `store` and opens the same one again (durable stores only). */
  reopen?: (store: QueueStore, maxBytes: number) => QueueStore;
}

/** A record whose size is exactly `RECORD_OVERHEAD_BYTES + 100` bytes (stream "s?" + 98-byte data). */
function rec(stream: string, priority: Priority, tag: string): RecordInput {
  const data = JSON.stringify(tag).padEnd(98 - stream.length + 2, ' ');
  return { stream, priority, stampMs: 1_767_225_600_000, data };
}
const SIZE = RECORD_OVERHEAD_BYTES + 100;

function tags(store: QueueStore): string[] {
  return store.peek(0, 10_000).map((r) => JSON.parse(r.data) as string);
}

export function queueContract(name: string, factory: StoreFactory): void {
  describe(`queue store contract: ${name}`, () => {
    it('charges each record data + stream + overhead bytes', () => {
      const s = factory.create(1_000_000);
      const [r] = s.append([rec('st', 'record', 'a')]).accepted;
      expect(r?.sizeBytes).toBe(SIZE);
      expect(s.stats().bytes).toBe(SIZE);
      s.close();
    });

    it('numbers each stream from 0 and orders records by id across streams', () => {
      const s = factory.create(1_000_000);
      s.append([rec('sa', 'record', 'a0'), rec('sb', 'safety', 'b0')]);
      s.append([rec('sa', 'record', 'a1')]);
      const all = s.peek(0, 10);
      expect(all.map((r) => [r.stream, r.seq])).toEqual([
        ['sa', 0],
        ['sb', 0],
        ['sa', 1],
      ]);
      expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort((a, b) => a - b));
      expect(s.nextSeq('sa')).toBe(2);
      expect(s.nextSeq('never')).toBe(0);
      s.close();
    });

    it('peeks after a cursor, up to a limit, and forgets acked records', () => {
      const s = factory.create(1_000_000);
      const ids = s.append(['0', '1', '2', '3'].map((t) => rec('sa', 'record', t))).accepted.map((r) => r.id);
      expect(s.peek(ids[1]!, 10).map((r) => r.seq)).toEqual([2, 3]);
      expect(s.peek(0, 2).map((r) => r.seq)).toEqual([0, 1]);
      s.ack([ids[0]!, ids[2]!, 999_999]);
      expect(s.peek(0, 10).map((r) => r.seq)).toEqual([1, 3]);
      expect(s.stats().records).toBe(2);
      expect(s.stats().bytes).toBe(2 * SIZE);
      s.close();
    });

    it('never reuses an id or a seq, even after draining', () => {
      const s = factory.create(1_000_000);
      const first = s.append([rec('sa', 'record', 'x')]).accepted[0]!;
      s.ack([first.id]);
      const second = s.append([rec('sa', 'record', 'y')]).accepted[0]!;
      expect(second.id).toBeGreaterThan(first.id);
      expect(second.seq).toBe(1);
      s.close();
    });

    it('evicts in the documented order: state oldest first, then records oldest first, never safety', () => {
      // Room for exactly 6 records.
      const s = factory.create(6 * SIZE);
      s.append([
        rec('s1', 'state', 'state0'),
        rec('sr', 'record', 'rec0'),
        rec('sf', 'safety', 'safe0'),
        rec('s1', 'state', 'state1'),
        rec('sr', 'record', 'rec1'),
        rec('sf', 'safety', 'safe1'),
      ]);
      expect(s.stats().bytes).toBe(6 * SIZE);
      // A record displaces the oldest state first ...
      let r = s.append([rec('sr', 'record', 'rec2')]);
      expect(r.evicted).toEqual({ state: 1, record: 0, safety: 0 });
      expect(tags(s)).toEqual(['rec0', 'safe0', 'state1', 'rec1', 'safe1', 'rec2']);
      // ... then the next state ...
      r = s.append([rec('sf', 'safety', 'safe2')]);
      expect(r.evicted).toEqual({ state: 1, record: 0, safety: 0 });
      expect(tags(s)).toEqual(['rec0', 'safe0', 'rec1', 'safe1', 'rec2', 'safe2']);
      // ... then records, oldest first; safety stays.
      r = s.append([rec('sr', 'record', 'rec3'), rec('sf', 'safety', 'safe3')]);
      expect(r.evicted).toEqual({ state: 0, record: 2, safety: 0 });
      expect(tags(s)).toEqual(['safe0', 'safe1', 'rec2', 'safe2', 'rec3', 'safe3']);
      expect(s.stats().bytes).toBeLessThanOrEqual(6 * SIZE);
      expect(s.stats().evicted).toEqual({ state: 2, record: 2, safety: 0 });
      s.close();
    });

    it('keeps the newest state: a new state record displaces only older state, never records', () => {
      const s = factory.create(3 * SIZE);
      s.append([rec('sr', 'record', 'rec0'), rec('s1', 'state', 'state0'), rec('s1', 'state', 'state1')]);
      const r = s.append([rec('s1', 'state', 'state2')]);
      expect(r.evicted).toEqual({ state: 1, record: 0, safety: 0 });
      expect(tags(s)).toEqual(['rec0', 'state1', 'state2']);
      s.close();
    });

    it('refuses a state or record that nothing it may displace would make room for, and evicts nothing for it', () => {
      const s = factory.create(2 * SIZE);
      s.append([rec('sr', 'record', 'rec0'), rec('sf', 'safety', 'safe0')]);
      const r = s.append([rec('s1', 'state', 'state0')]);
      expect(r.accepted).toHaveLength(0);
      expect(r.refused).toHaveLength(1);
      expect(r.evicted).toEqual({ state: 0, record: 0, safety: 0 });
      expect(tags(s)).toEqual(['rec0', 'safe0']);
      s.append([rec('sf', 'safety', 'safe1')]);
      const full = s.append([rec('sr', 'record', 'rec1')]);
      expect(full.refused).toHaveLength(1);
      expect(s.stats().refused).toBe(2);
      // Refused records take no sequence number: the stream shows no gap for them.
      expect(s.nextSeq('sr')).toBe(1);
      s.close();
    });

    it('stores safety records even over the bound (they are never lost)', () => {
      const s = factory.create(2 * SIZE);
      s.append([rec('sf', 'safety', 'safe0'), rec('sf', 'safety', 'safe1')]);
      const r = s.append([rec('sf', 'safety', 'safe2')]);
      expect(r.accepted).toHaveLength(1);
      expect(tags(s)).toEqual(['safe0', 'safe1', 'safe2']);
      expect(s.stats().bytes).toBe(3 * SIZE);
      s.close();
    });

    it('respects the bound under a long outage of mixed traffic, keeping every safety record', () => {
      const maxBytes = 50 * SIZE;
      const s = factory.create(maxBytes);
      let safety = 0;
      for (let i = 0; i < 2_000; i++) {
        const p: Priority = i % 50 === 0 ? 'safety' : i % 3 === 0 ? 'record' : 'state';
        if (p === 'safety') safety++;
        s.append([rec(p === 'safety' ? 'sf' : p === 'record' ? 'sr' : 's1', p, `${p}${i}`)]);
        expect(s.stats().bytes).toBeLessThanOrEqual(maxBytes);
      }
      const st = s.stats();
      expect(st.byPriority.safety.records).toBe(safety);
      expect(st.evicted.safety).toBe(0);
      // Everything left of a lower class is newer than anything evicted of it: newest kept.
      const left = s.peek(0, 10_000);
      const seqs = left.filter((r) => r.stream === 's1').map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      if (seqs.length > 0) expect(seqs.at(-1)).toBe(s.nextSeq('s1') - 1);
      s.close();
    });

    it('EXPECTED FAILURE - use after close throws telemetry.queue_closed', () => {
      const s = factory.create(1_000);
      s.close();
      expect(() => s.append([rec('sa', 'record', 'x')])).toThrow(TelemetryError);
      try {
        s.peek(0, 1);
      } catch (error) {
        expect((error as TelemetryError).code).toBe('telemetry.queue_closed');
      }
    });

    const reopen = factory.reopen;
    if (reopen !== undefined) {
      it('keeps records, totals, sequence numbers and the id order across a reopen', () => {
        let s = factory.create(1_000_000);
        s.append([rec('sa', 'record', 'a0'), rec('sb', 'safety', 'b0'), rec('sa', 'state', 'a1')]);
        const acked = s.peek(0, 1)[0]!;
        s.ack([acked.id]);
        const before = s.stats();
        s = reopen(s, 1_000_000);
        expect(s.stats().records).toBe(before.records);
        expect(s.stats().bytes).toBe(before.bytes);
        expect(s.stats().byPriority).toEqual(before.byPriority);
        expect(tags(s)).toEqual(['b0', 'a1']);
        expect(s.nextSeq('sa')).toBe(2);
        const next = s.append([rec('sa', 'record', 'a2')]).accepted[0]!;
        expect(next.seq).toBe(2);
        expect(next.id).toBeGreaterThan(s.peek(0, 10)[1]!.id);
        s.close();
      });

      it('applies a smaller bound after reopen on the next append', () => {
        let s = factory.create(1_000_000);
        s.append(['0', '1', '2', '3'].map((t) => rec('s1', 'state', t)));
        s = reopen(s, 2 * SIZE);
        s.append([rec('s1', 'state', '4')]);
        expect(tags(s)).toEqual(['3', '4']);
        s.close();
      });
    }
  });
}
