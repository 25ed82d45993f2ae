/**
 * The bytes a command signature covers: the command object without `sig`,
 * as JSON with the keys of every object sorted (by UTF-16 code units, as
 * `Array.prototype.sort` orders strings), no whitespace, and numbers and
 * strings written as `JSON.stringify` writes them. For the values commands
 * carry (strings, integers, finite floats, booleans, null) this matches
 * RFC 8785 (JCS), so a ground station in another language can reproduce it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('canonical JSON has no NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
}

/** The signed bytes of a command (its JSON object minus `sig`). */
export function signingBytes(command: Readonly<Record<string, unknown>>): Buffer {
  const { sig: _sig, ...body } = command;
  return Buffer.from(canonicalJson(body), 'utf8');
}
