/**
 * Command ids seen while they could still be valid. An id is kept until its
 * command expires (issuedAtMs + ttlMs): after that the expiry check rejects a
 * replay anyway, so the cache holds at most what arrives in one maximum TTL
 * window, and never more than `maxEntries` (then new commands are refused,
 * failing closed, rather than forgetting an id that could be replayed).
 */
export class ReplayCache {
  private readonly entries = new Map<string, number>();

  constructor(private readonly maxEntries = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  has(operator: string, commandId: string, nowMs: number): boolean {
    const until = this.entries.get(key(operator, commandId));
    return until !== undefined && until >= nowMs;
  }

  /** Remembers the id until `untilMs`; false when the cache is full of live ids. */
  add(operator: string, commandId: string, untilMs: number, nowMs: number): boolean {
    if (this.entries.size >= this.maxEntries) this.prune(nowMs);
    if (this.entries.size >= this.maxEntries) return false;
    this.entries.set(key(operator, commandId), untilMs);
    return true;
  }

  prune(nowMs: number): void {
    for (const [k, until] of this.entries) if (until < nowMs) this.entries.delete(k);
  }
}

function key(operator: string, commandId: string): string {
  // Ids cannot contain NUL (schema), so the pair is unambiguous.
  return `${operator}\u0000${commandId}`;
}
