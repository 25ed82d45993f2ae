/**
 * A growable ring buffer of envelopes. Bounded rings overwrite their oldest
 * element when full; the caller counts the drop. Capacity is a power of two
 * so the index wraps with a mask instead of a modulo.
 */
export class Ring<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;
  private mask: number;

  constructor(initialCapacity = 16) {
    let cap = 1;
    while (cap < initialCapacity) cap <<= 1;
    this.items = new Array<T | undefined>(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Appends; grows when full. */
  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & this.mask] = item;
    this.count++;
  }

  /** Appends, overwriting the oldest when `size === bound`. Returns true when one was dropped. */
  pushBounded(item: T, bound: number): boolean {
    if (this.count >= bound) {
      this.shift();
      this.push(item);
      return true;
    }
    this.push(item);
    return false;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    // Release the reference so a large frame is collectable as soon as it is delivered.
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    return item;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & this.mask];
    this.items = next;
    this.head = 0;
    this.mask = next.length - 1;
  }
}
