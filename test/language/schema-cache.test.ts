import { describe, expect, it } from 'vitest';
import { SCHEMA_CACHE_SIZE, SchemaCache } from '../../language/json-constraint.js';

describe('SchemaCache', () => {
  it('compiles a schema once, keeps at most SCHEMA_CACHE_SIZE, and drops the least recently used first', () => {
    const cache = new SchemaCache<number>();
    let made = 0;
    const get = (i: number): number => cache.get({ enum: [i] }, () => ++made);
    for (let i = 0; i < SCHEMA_CACHE_SIZE; i++) get(i);
    expect(made).toBe(SCHEMA_CACHE_SIZE);
    // Schema 0 used again: now the most recent; the next new one evicts schema 1 instead.
    expect(get(0)).toBe(1);
    get(SCHEMA_CACHE_SIZE);
    expect(made).toBe(SCHEMA_CACHE_SIZE + 1);
    get(0);
    expect(made).toBe(SCHEMA_CACHE_SIZE + 1);
    get(1);
    expect(made).toBe(SCHEMA_CACHE_SIZE + 2);
  });
});
