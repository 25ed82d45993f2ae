/**
 * Reads `metadata_props` from an ONNX file. onnxruntime-node does not expose
 * model metadata, and Ultralytics exports keep their class names there, so
 * this walks the ModelProto's top-level protobuf fields and skips the graph
 * (field 7) by its length prefix: no protobuf library, no full parse.
 *
 * Wire format: https://protobuf.dev/programming-guides/encoding/
 * ModelProto.metadata_props = 14, StringStringEntryProto { key = 1, value = 2 }.
 */

const METADATA_PROPS_FIELD = 14;
const decoder = new TextDecoder();

interface Cursor {
  pos: number;
}

function readVarint(buf: Uint8Array, c: Cursor): number {
  let result = 0;
  let mul = 1;
  for (;;) {
    if (c.pos >= buf.length) throw new RangeError('truncated varint');
    const b = buf[c.pos++] ?? 0;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return result;
    mul *= 128;
    if (mul > 2 ** 63) throw new RangeError('varint too long');
  }
}

function skipField(buf: Uint8Array, c: Cursor, wireType: number): void {
  switch (wireType) {
    case 0:
      readVarint(buf, c);
      return;
    case 1:
      c.pos += 8;
      return;
    case 2: {
      // Read the length first: `c.pos += readVarint(…)` would add it to the pre-read position.
      const len = readVarint(buf, c);
      c.pos += len;
      return;
    }
    case 5:
      c.pos += 4;
      return;
    default:
      throw new RangeError(`unsupported protobuf wire type ${wireType}`);
  }
}

function readEntry(buf: Uint8Array): [string, string] {
  const c: Cursor = { pos: 0 };
  let key = '';
  let value = '';
  while (c.pos < buf.length) {
    const tag = readVarint(buf, c);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType === 2 && (field === 1 || field === 2)) {
      const len = readVarint(buf, c);
      const text = decoder.decode(buf.subarray(c.pos, c.pos + len));
      c.pos += len;
      if (field === 1) key = text;
      else value = text;
    } else {
      skipField(buf, c, wireType);
    }
  }
  return [key, value];
}

/**
 * The model's `metadata_props` as a plain record. Returns `{}` for bytes that
 * are not a readable ModelProto rather than throwing: metadata is optional and
 * the backend reports real load errors better.
 */
export function readOnnxMetadata(model: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const c: Cursor = { pos: 0 };
  try {
    while (c.pos < model.length) {
      const tag = readVarint(model, c);
      const field = Math.floor(tag / 8);
      const wireType = tag & 7;
      if (field === METADATA_PROPS_FIELD && wireType === 2) {
        const len = readVarint(model, c);
        // subarray borrows: no copy of the entry bytes.
        const [k, v] = readEntry(model.subarray(c.pos, c.pos + len));
        out[k] = v;
        c.pos += len;
      } else {
        skipField(model, c, wireType);
      }
    }
  } catch {
    return out;
  }
  return out;
}

/**
 * Parses Ultralytics' `names` metadata, a Python dict literal such as
 * `{0: 'person', 1: 'bicycle', 2: "o'clock"}`, into names by index. Returns
 * undefined when the text is not that shape. Missing indices get `class_<i>`.
 */
export function parseUltralyticsNames(text: string): string[] | undefined {
  const body = text.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) return undefined;
  const entry = /\s*(\d+)\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*(?:,|$)/y;
  const inner = body.slice(1, -1);
  const byIndex = new Map<number, string>();
  entry.lastIndex = 0;
  while (entry.lastIndex < inner.length) {
    const start = entry.lastIndex;
    const m = entry.exec(inner);
    if (m === null) {
      if (inner.slice(start).trim() === '') break;
      return undefined;
    }
    const raw = m[2] ?? m[3] ?? '';
    byIndex.set(Number(m[1]), raw.replace(/\\(.)/g, '$1'));
  }
  if (byIndex.size === 0) return undefined;
  const count = Math.max(...byIndex.keys()) + 1;
  return Array.from({ length: count }, (_, i) => byIndex.get(i) ?? `class_${i}`);
}
