/**
 * The JSON Schema subset that constrained generation supports, compiled to a
 * small tree of nodes that both the character automaton (ONNX token masks)
 * and the GBNF writer (GGUF grammars) read, so the two backends accept
 * exactly the same texts.
 *
 * Supported (anything else is refused with `language.schema_unsupported`,
 * naming the schema path and keyword, rather than silently loosened):
 *
 * | schema                                   | canonical output                                          |
 * | ---------------------------------------- | --------------------------------------------------------- |
 * | `enum` / `const` (strings, numbers, booleans, null) | the JSON text of one value                     |
 * | `{type: boolean}` / `{type: null}`       | `true` `false` / `null`                                   |
 * | `{type: string, maxLength, minLength?, pattern?}` | `"…"` of printable ASCII without `"` and `\`     |
 * | `{type: integer, minimum?: 0}`           | optional `-`, at most 16 digits, no leading zeros, no `-0` |
 * | `{type: number, minimum?: 0}`            | an integer part, then optionally `.` and 1–3 digits, the last one not 0 |
 * | `{type: object, properties, required?, additionalProperties?}` | keys in declared order, optional keys may be skipped |
 * | `{type: array, items, maxItems, minItems?, uniqueItems?}` | `uniqueItems` only over `enum`/`const` items       |
 *
 * `pattern` must be anchored (`^…$`) and be a sequence of single characters,
 * escapes (`\d`, `\w`, `\s`, `\.`) or classes (`[a-z0-9 ]`, `[^…]`), each with
 * an optional quantifier `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`; for example
 * `^[a-z][a-z0-9 ]*$`. No alternation or groups. Strings need `maxLength`
 * (or `enum`) so that every output is bounded. No whitespace is ever
 * generated between tokens.
 */
import { LanguageSchemaError } from './errors.js';

/** Membership of the 128 ASCII code points; only 0x20..0x7e other than `"` and `\` are ever set. */
export type CharClass = Uint8Array;

export interface PatternItem {
  readonly chars: CharClass;
  readonly min: number;
  readonly max: number;
}

export type SchemaNode =
  | { readonly kind: 'literal'; readonly values: readonly string[] }
  | {
      readonly kind: 'string';
      readonly minLength: number;
      readonly maxLength: number;
      readonly items: readonly PatternItem[];
    }
  | { readonly kind: 'integer'; readonly signed: boolean }
  | { readonly kind: 'number'; readonly signed: boolean }
  | { readonly kind: 'object'; readonly props: readonly ObjectProp[] }
  | {
      readonly kind: 'array';
      readonly items: SchemaNode;
      readonly minItems: number;
      readonly maxItems: number;
      readonly unique: boolean;
    };

export interface ObjectProp {
  readonly key: string;
  /** `"key"` as it appears in the output. */
  readonly keyJson: string;
  readonly node: SchemaNode;
  readonly required: boolean;
}

/** Most digits of an integer part: 16 keeps every output a finite JS number. */
export const MAX_INTEGER_DIGITS = 16;
/** Most digits after the decimal point of a `number`. */
export const MAX_FRACTION_DIGITS = 3;

const SAFE_CHARS: CharClass = (() => {
  const c = new Uint8Array(128);
  for (let i = 0x20; i <= 0x7e; i++) c[i] = 1;
  c[0x22] = 0; // "
  c[0x5c] = 0; // \
  return c;
})();

type Path = readonly (string | number)[];

function unsupported(path: Path, keyword: string, message: string): never {
  const where = path.length === 0 ? '(root)' : path.join('.');
  throw new LanguageSchemaError('language.schema_unsupported', `schema ${where}: ${message}`, {
    issues: [{ code: keyword, path: [...path], message }],
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ANNOTATIONS = new Set(['description', 'title', '$schema', '$id', 'examples', 'default', '$comment']);

function checkKeywords(schema: Record<string, unknown>, allowed: readonly string[], path: Path): void {
  for (const key of Object.keys(schema)) {
    if (!allowed.includes(key) && !ANNOTATIONS.has(key))
      unsupported(path, key, `keyword "${key}" is not supported here`);
  }
}

function nonNegativeInt(schema: Record<string, unknown>, key: string, path: Path): number | undefined {
  const v = schema[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    unsupported(path, key, `${key} must be a non-negative integer`);
  return v;
}

function literalText(value: unknown, path: Path): string {
  if (
    value === null ||
    typeof value === 'boolean' ||
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value))
  ) {
    return JSON.stringify(value);
  }
  return unsupported(path, 'enum', 'enum/const values must be strings, finite numbers, booleans or null');
}

function minimumZero(schema: Record<string, unknown>, path: Path): boolean {
  const min = schema.minimum;
  if (min === undefined) return true;
  if (min !== 0) unsupported(path, 'minimum', "only minimum: 0 is supported (bounds beyond that are the guard's job)");
  return false;
}

/** Compiles a JSON Schema object; throws `language.schema_unsupported` naming the path and keyword at fault. */
export function compileSchema(schema: unknown, path: Path = []): SchemaNode {
  if (!isRecord(schema)) return unsupported(path, 'type', 'a schema must be an object');
  if (schema.enum !== undefined || schema.const !== undefined) {
    checkKeywords(schema, ['enum', 'const', 'type'], path);
    const raw = schema.const !== undefined ? [schema.const] : schema.enum;
    if (!Array.isArray(raw) || raw.length === 0) return unsupported(path, 'enum', 'enum must be a non-empty array');
    const values = [...new Set(raw.map((v) => literalText(v, path)))];
    for (const v of values) {
      for (const ch of v) {
        const code = ch.charCodeAt(0);
        if (code < 0x20 || code > 0x7e)
          unsupported(path, 'enum', `enum value ${v} has a character outside printable ASCII`);
      }
    }
    return { kind: 'literal', values };
  }
  switch (schema.type) {
    case 'boolean':
      checkKeywords(schema, ['type'], path);
      return { kind: 'literal', values: ['true', 'false'] };
    case 'null':
      checkKeywords(schema, ['type'], path);
      return { kind: 'literal', values: ['null'] };
    case 'string': {
      checkKeywords(schema, ['type', 'maxLength', 'minLength', 'pattern'], path);
      const maxLength = nonNegativeInt(schema, 'maxLength', path);
      if (maxLength === undefined)
        return unsupported(path, 'maxLength', 'a string needs maxLength (or enum) so the output is bounded');
      const minLength = nonNegativeInt(schema, 'minLength', path) ?? 0;
      if (minLength > maxLength) unsupported(path, 'minLength', 'minLength exceeds maxLength');
      const items =
        schema.pattern === undefined
          ? [{ chars: SAFE_CHARS, min: 0, max: Infinity }]
          : parsePattern(schema.pattern, [...path, 'pattern']);
      return { kind: 'string', minLength, maxLength, items };
    }
    case 'integer':
      checkKeywords(schema, ['type', 'minimum'], path);
      return { kind: 'integer', signed: minimumZero(schema, path) };
    case 'number':
      checkKeywords(schema, ['type', 'minimum'], path);
      return { kind: 'number', signed: minimumZero(schema, path) };
    case 'object': {
      checkKeywords(schema, ['type', 'properties', 'required', 'additionalProperties'], path);
      const props = schema.properties ?? {};
      if (!isRecord(props)) return unsupported(path, 'properties', 'properties must be an object');
      const required = schema.required ?? [];
      if (!Array.isArray(required) || !required.every((r): r is string => typeof r === 'string')) {
        return unsupported(path, 'required', 'required must be an array of strings');
      }
      for (const r of required) {
        if (!(r in props)) unsupported(path, 'required', `required property "${r}" is not in properties`);
      }
      const ap = schema.additionalProperties;
      // Only declared keys are ever generated, which satisfies false, true or absent alike.
      if (ap !== undefined && typeof ap !== 'boolean') {
        unsupported(path, 'additionalProperties', 'additionalProperties must be a boolean');
      }
      return {
        kind: 'object',
        props: Object.entries(props).map(([key, sub]) => {
          for (const ch of key) {
            if (!SAFE_CHARS[ch.charCodeAt(0)] || ch.charCodeAt(0) > 0x7e) {
              unsupported(
                [...path, 'properties', key],
                'properties',
                'property names must be printable ASCII without " or \\',
              );
            }
          }
          if (key === '') unsupported([...path, 'properties'], 'properties', 'empty property name');
          return {
            key,
            keyJson: JSON.stringify(key),
            node: compileSchema(sub, [...path, 'properties', key]),
            required: required.includes(key),
          };
        }),
      };
    }
    case 'array': {
      checkKeywords(schema, ['type', 'items', 'maxItems', 'minItems', 'uniqueItems'], path);
      const items = compileSchema(schema.items, [...path, 'items']);
      const maxItems = nonNegativeInt(schema, 'maxItems', path);
      if (maxItems === undefined)
        return unsupported(path, 'maxItems', 'an array needs maxItems so the output is bounded');
      const minItems = nonNegativeInt(schema, 'minItems', path) ?? 0;
      if (minItems > maxItems) unsupported(path, 'minItems', 'minItems exceeds maxItems');
      const unique = schema.uniqueItems === true;
      if (unique && items.kind !== 'literal') unsupported(path, 'uniqueItems', 'uniqueItems needs enum/const items');
      if (unique && items.kind === 'literal' && minItems > items.values.length) {
        unsupported(path, 'minItems', 'minItems exceeds the number of distinct enum values');
      }
      return { kind: 'array', items, minItems, maxItems, unique };
    }
    default:
      return unsupported(path, 'type', `type ${JSON.stringify(schema.type)} is not supported`);
  }
}

// ---------------------------------------------------------------- pattern subset

function classOf(chars: Iterable<number>, negate: boolean): CharClass {
  const c = new Uint8Array(128);
  for (const code of chars) if (code < 128) c[code] = 1;
  if (negate) for (let i = 0; i < 128; i++) c[i] = c[i] === 1 ? 0 : 1;
  // Never generate what needs escaping in JSON or is not printable.
  for (let i = 0; i < 128; i++) if (c[i] === 1 && SAFE_CHARS[i] !== 1) c[i] = 0;
  return c;
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

const ESCAPE_CLASSES: Readonly<Record<string, number[]>> = {
  d: range(0x30, 0x39),
  w: [...range(0x30, 0x39), ...range(0x41, 0x5a), ...range(0x61, 0x7a), 0x5f],
  s: [0x20],
};

/** `^ITEM*$`: see the module comment for what an item may be. */
export function parsePattern(pattern: unknown, path: Path): PatternItem[] {
  if (typeof pattern !== 'string') return unsupported(path, 'pattern', 'pattern must be a string');
  const bad = (why: string): never => unsupported(path, 'pattern', `pattern ${JSON.stringify(pattern)}: ${why}`);
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$'))
    bad('must be anchored with ^ and $');
  const src = pattern.slice(1, -1);
  const items: PatternItem[] = [];
  let i = 0;
  const escape = (): number[] => {
    const e = src[i + 1];
    if (e === undefined) return bad('dangling backslash');
    i += 2;
    const cls = ESCAPE_CLASSES[e];
    if (cls !== undefined) return cls;
    if (/[a-zA-Z0-9]/.test(e)) return bad(`escape \\${e} is not supported`);
    return [e.charCodeAt(0)];
  };
  while (i < src.length) {
    const ch = src[i] ?? '';
    let chars: CharClass;
    if (ch === '[') {
      i++;
      let negate = false;
      if (src[i] === '^') {
        negate = true;
        i++;
      }
      const members: number[] = [];
      let first = true;
      while (i < src.length && (src[i] !== ']' || first)) {
        first = false;
        let lo: number[];
        if (src[i] === '\\') lo = escape();
        else {
          lo = [(src[i] ?? '').charCodeAt(0)];
          i++;
        }
        if (src[i] === '-' && src[i + 1] !== ']' && i + 1 < src.length && lo.length === 1) {
          i++;
          let hi: number[];
          if (src[i] === '\\') hi = escape();
          else {
            hi = [(src[i] ?? '').charCodeAt(0)];
            i++;
          }
          const [a] = lo;
          const [b] = hi;
          if (hi.length !== 1 || a === undefined || b === undefined || b < a) bad('bad range in class');
          members.push(...range(a ?? 0, b ?? 0));
        } else {
          members.push(...lo);
        }
      }
      if (src[i] !== ']') bad('unterminated character class');
      i++;
      chars = classOf(members, negate);
    } else if (ch === '\\') {
      chars = classOf(escape(), false);
    } else if ('()|.^$*+?{}'.includes(ch)) {
      return bad(`"${ch}" (groups, alternation, wildcards) is not supported`);
    } else {
      chars = classOf([ch.charCodeAt(0)], false);
      i++;
    }
    if (!chars.includes(1)) bad('a character class admits no printable character');
    let min = 1;
    let max = 1;
    const q = src[i];
    if (q === '*' || q === '+' || q === '?') {
      min = q === '+' ? 1 : 0;
      max = q === '?' ? 1 : Infinity;
      i++;
    } else if (q === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (m === null) return bad('bad {n,m} quantifier');
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? Infinity : Number(m[3]);
      if (max < min) bad('{n,m} with m < n');
      i += m[0].length;
    }
    if ('*+?{'.includes(src[i] ?? '#')) bad('stacked quantifiers are not supported');
    items.push({ chars, min, max });
  }
  return items;
}
