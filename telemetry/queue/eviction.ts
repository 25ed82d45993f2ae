import { PRIORITY_RANK, type Priority } from './record.js';

/**
 * The eviction order, shared by every store so they agree record for record.
 *
 * When a new record does not fit in `maxBytes`:
 *   1. evict `state`, oldest first (the newest state survives longest);
 *   2. then evict `record` (detections, targets, health), oldest first;
 *   3. never evict `safety` (events, guard decisions).
 * A new record may displace only records of its own priority or lower, and
 * counts as the newest of its priority. If what it may displace is not enough,
 * a `state` or `record` is refused (nothing is evicted for it), while a
 * `safety` record is stored anyway, over the bound: losing a safety event is
 * worse than overrunning the disk budget, and they are few and small.
 */
export const EVICTION_ORDER: readonly Priority[] = ['state', 'record'];

/** What `makeRoom` needs to see of a store. */
export interface EvictionView {
  /** Bytes now stored, all priorities. */
  bytes(): number;
  /** Bytes now stored of one priority. */
  bytesOf(priority: Priority): number;
  /** Evicts the oldest record of `priority`; false if there is none. */
  evictOldest(priority: Priority): boolean;
}

export type RoomOutcome = 'fits' | 'refused' | 'over_bound';

/** Evicts by `EVICTION_ORDER` until a record of `sizeBytes` and `priority` fits, or says why it cannot. */
export function makeRoom(view: EvictionView, priority: Priority, sizeBytes: number, maxBytes: number): RoomOutcome {
  if (view.bytes() + sizeBytes <= maxBytes) return 'fits';
  const rank = PRIORITY_RANK[priority];
  const victims = EVICTION_ORDER.filter((p) => PRIORITY_RANK[p] <= rank);
  let displaceable = 0;
  for (const p of victims) displaceable += view.bytesOf(p);
  // Decide before evicting: a record that cannot fit must not cost anyone else their place.
  if (view.bytes() - displaceable + sizeBytes > maxBytes && priority !== 'safety') return 'refused';
  for (const p of victims) {
    while (view.bytes() + sizeBytes > maxBytes) {
      if (!view.evictOldest(p)) break;
    }
  }
  return view.bytes() + sizeBytes <= maxBytes ? 'fits' : 'over_bound';
}
