/**
 * A character-level incremental automaton for the JSON Schema subset of
 * `json-schema-subset.ts`. States are immutable: `feed(ch)` returns the next
 * state or undefined when `ch` cannot continue any valid output, so a token
 * mask can walk a trie of token texts from one state without undo.
 *
 * Invariants every state keeps (the property tests check them):
 * - live: from any reachable state some character is accepted or the value
 *   can end here, so constrained generation never paints itself into a corner;
 * - sound: whenever the root `canEnd`, the text so far JSON.parses and
 *   satisfies the schema;
 * - bounded: every output has a finite maximum length (strings and arrays
 *   need maxLength/maxItems, numbers have digit limits).
 */
import {
  MAX_FRACTION_DIGITS,
  MAX_INTEGER_DIGITS,
  compileSchema,
  type ObjectProp,
  type PatternItem,
  type SchemaNode,
} from './json-schema-subset.js';
import { LanguageSchemaError } from './errors.js';

/** One point of the automaton; immutable. */
export interface ConstraintState {
  /** The state after `ch` (one UTF-16 code unit), or undefined when no valid output continues with it. */
  feed(ch: string): ConstraintState | undefined;
  /** The text so far is a complete value (EOS may follow). */
  readonly canEnd: boolean;
  /** No character can follow: the value is complete and closed. */
  readonly closed: boolean;
}

/**
 * Compiled constraints (and GGUF grammars) a backend keeps. Callers that build
 * a schema per request (grounded plans) would otherwise grow the cache for
 * ever; the least recently used one goes first.
 */
export const SCHEMA_CACHE_SIZE = 32;

/** What a backend compiled for a schema, kept per schema text, at most SCHEMA_CACHE_SIZE of them. */
export class SchemaCache<T> {
  private readonly entries = new Map<string, T>();

  /** The entry for `schema`, compiled by `make` on a miss; the least recently used entry goes beyond the bound. */
  get(schema: object, make: () => T): T {
    const key = JSON.stringify(schema);
    const hit = this.entries.get(key);
    const value = hit ?? make();
    // Most recently used last: a Map iterates in insertion order.
    if (hit !== undefined) this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > SCHEMA_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value ?? '');
    return value;
  }
}

/** Feeds a whole string; undefined as soon as one character is refused. */
export function feedText(state: ConstraintState, text: string): ConstraintState | undefined {
  let s: ConstraintState | undefined = state;
  for (let i = 0; i < text.length && s !== undefined; i++) s = s.feed(text[i] ?? '');
  return s;
}

// ---------------------------------------------------------------- literals

class LiteralState implements ConstraintState {
  readonly canEnd: boolean;
  readonly closed: boolean;
  constructor(
    readonly values: readonly string[],
    readonly text: string,
  ) {
    this.canEnd = values.includes(text);
    this.closed = this.canEnd && values.length === 1;
  }
  feed(ch: string): ConstraintState | undefined {
    const t = this.text + ch;
    const next = this.values.filter((v) => v.startsWith(t));
    return next.length === 0 ? undefined : new LiteralState(next, t);
  }
}

// ---------------------------------------------------------------- strings

/** A set of NFA states, interned: its transitions and end-length intervals are computed once. */
interface DfaNode {
  readonly accepting: boolean;
  /** Per state: [fewest, most] characters still needed to finish. */
  readonly remaining: readonly (readonly [number, number])[];
  /** Next node per ASCII code; null = no transition, undefined = not computed yet. */
  readonly next: (DfaNode | null | undefined)[];
  readonly states: readonly number[];
}

/**
 * A pattern as an NFA over (item, count) pairs, closed under skipping items
 * whose minimum is met, and determinised lazily: string characters are the
 * hot path of every token mask, so each (node, char) step is computed once.
 * `count` is capped at `min` for unbounded items: past the minimum, one more
 * repetition changes nothing.
 */
class PatternNfa {
  private readonly n: number;
  private readonly suffixMin: number[];
  private readonly suffixMax: number[];
  private readonly nodes = new Map<string, DfaNode>();
  readonly start: DfaNode;
  constructor(readonly items: readonly PatternItem[]) {
    this.n = items.length;
    this.suffixMin = new Array<number>(this.n + 1).fill(0);
    this.suffixMax = new Array<number>(this.n + 1).fill(0);
    for (let i = this.n - 1; i >= 0; i--) {
      const item = items[i];
      this.suffixMin[i] = (this.suffixMin[i + 1] ?? 0) + (item?.min ?? 0);
      this.suffixMax[i] = (this.suffixMax[i + 1] ?? 0) + (item?.max ?? 0);
    }
    this.start = this.intern(this.closure([this.key(0, 0)]));
  }
  private key(i: number, c: number): number {
    return i * 1_000_000 + c;
  }
  private closure(seed: readonly number[]): number[] {
    const out = new Set<number>();
    const stack = [...seed];
    while (stack.length > 0) {
      const k = stack.pop() ?? 0;
      if (out.has(k)) continue;
      out.add(k);
      const i = Math.floor(k / 1_000_000);
      const c = k % 1_000_000;
      const item = this.items[i];
      if (item !== undefined && c >= item.min) stack.push(this.key(i + 1, 0));
    }
    return [...out].sort((a, b) => a - b);
  }
  private intern(states: readonly number[]): DfaNode {
    const id = states.join(',');
    let node = this.nodes.get(id);
    if (node === undefined) {
      node = {
        accepting: states.includes(this.key(this.n, 0)),
        remaining: states.map((k) => {
          const i = Math.floor(k / 1_000_000);
          const c = k % 1_000_000;
          const item = this.items[i];
          if (item === undefined) return [0, 0] as const;
          return [
            Math.max(0, item.min - c) + (this.suffixMin[i + 1] ?? 0),
            item.max - c + (this.suffixMax[i + 1] ?? 0),
          ] as const;
        }),
        next: new Array<DfaNode | null | undefined>(128),
        states,
      };
      this.nodes.set(id, node);
    }
    return node;
  }
  step(node: DfaNode, code: number): DfaNode | null {
    if (code >= 128) return null;
    const known = node.next[code];
    if (known !== undefined) return known;
    const next: number[] = [];
    for (const k of node.states) {
      const i = Math.floor(k / 1_000_000);
      const c = k % 1_000_000;
      const item = this.items[i];
      if (item === undefined || c >= item.max || item.chars[code] !== 1) continue;
      next.push(this.key(i, item.max === Infinity ? Math.min(c + 1, item.min) : c + 1));
    }
    const result = next.length === 0 ? null : this.intern(this.closure(next));
    node.next[code] = result;
    return result;
  }
  /** Some state can still finish with a total of more characters in [lo, hi]. */
  viable(node: DfaNode, lo: number, hi: number): boolean {
    const from = Math.max(lo, 0);
    for (const [minRem, maxRem] of node.remaining) if (minRem <= hi && maxRem >= from) return true;
    return false;
  }
}

interface StringSpec {
  readonly nfa: PatternNfa;
  readonly minLength: number;
  readonly maxLength: number;
}

class StringState implements ConstraintState {
  readonly canEnd: boolean;
  readonly closed: boolean;
  constructor(
    readonly spec: StringSpec,
    /** 0: before the opening quote, 1: inside, 2: after the closing quote. */
    readonly phase: 0 | 1 | 2,
    readonly length: number,
    readonly node: DfaNode,
  ) {
    this.canEnd = phase === 2;
    this.closed = phase === 2;
  }
  feed(ch: string): ConstraintState | undefined {
    const { spec } = this;
    if (this.phase === 0) return ch === '"' ? new StringState(spec, 1, 0, spec.nfa.start) : undefined;
    if (this.phase === 2) return undefined;
    if (ch === '"') {
      return this.length >= spec.minLength && this.node.accepting
        ? new StringState(spec, 2, this.length, this.node)
        : undefined;
    }
    if (this.length >= spec.maxLength) return undefined;
    const next = spec.nfa.step(this.node, ch.charCodeAt(0));
    const length = this.length + 1;
    // Only admit characters after which the string can still close within [minLength, maxLength].
    if (next === null || !spec.nfa.viable(next, spec.minLength - length, spec.maxLength - length)) return undefined;
    return new StringState(spec, 1, length, next);
  }
}

// ---------------------------------------------------------------- numbers

type NumberPhase = 'start' | 'minus' | 'negzero' | 'zero' | 'int' | 'dot' | 'frac';

class NumberState implements ConstraintState {
  readonly canEnd: boolean;
  readonly closed: boolean;
  constructor(
    readonly signed: boolean,
    readonly fraction: boolean,
    readonly phase: NumberPhase,
    readonly digits: number,
    /** The last fraction digit was 0: "1.50" is not canonical, so it may not end there. */
    readonly lastZero = false,
  ) {
    this.canEnd = phase === 'zero' || phase === 'int' || (phase === 'frac' && !lastZero);
    this.closed =
      (phase === 'zero' && !fraction) ||
      (phase === 'int' && !fraction && digits >= MAX_INTEGER_DIGITS) ||
      (phase === 'frac' && digits >= MAX_FRACTION_DIGITS);
  }
  private to(phase: NumberPhase, digits: number, lastZero = false): NumberState {
    return new NumberState(this.signed, this.fraction, phase, digits, lastZero);
  }
  feed(ch: string): ConstraintState | undefined {
    const digit = ch >= '0' && ch <= '9';
    switch (this.phase) {
      case 'start':
        if (ch === '-' && this.signed) return this.to('minus', 0);
        if (ch === '0') return this.to('zero', 1);
        return digit ? this.to('int', 1) : undefined;
      case 'minus':
        // "-0" is not canonical; a number may still go "-0.5".
        if (ch === '0') return this.fraction ? this.to('negzero', 1) : undefined;
        return digit ? this.to('int', 1) : undefined;
      case 'negzero':
        return ch === '.' ? this.to('dot', 0) : undefined;
      case 'zero':
        return ch === '.' && this.fraction ? this.to('dot', 0) : undefined;
      case 'int':
        if (digit && this.digits < MAX_INTEGER_DIGITS) return this.to('int', this.digits + 1);
        return ch === '.' && this.fraction ? this.to('dot', 0) : undefined;
      case 'dot':
        return digit ? this.to('frac', 1, ch === '0') : undefined;
      case 'frac':
        if (!digit || this.digits >= MAX_FRACTION_DIGITS) return undefined;
        // The last possible fraction digit must be 1-9, or the number could never end.
        if (ch === '0' && this.digits + 1 === MAX_FRACTION_DIGITS) return undefined;
        return this.to('frac', this.digits + 1, ch === '0');
    }
  }
}

// ---------------------------------------------------------------- objects

type ObjectPhase = 'open' | 'first' | 'next' | 'key' | 'colon' | 'value' | 'done';

interface ObjectSpec {
  readonly props: readonly ObjectProp[];
  /** Per `last` (index of the last emitted property + 1): property indices that may come next. */
  readonly candidates: readonly (readonly number[])[];
  /** Per `last + 1`: `}` may follow (no required property remains). */
  readonly mayClose: readonly boolean[];
}

function objectSpec(props: readonly ObjectProp[]): ObjectSpec {
  const candidates: number[][] = [];
  const mayClose: boolean[] = [];
  for (let last = -1; last < props.length; last++) {
    const c: number[] = [];
    // Keys come in declared order; optional ones may be skipped, a required one may not.
    for (let j = last + 1; j < props.length; j++) {
      c.push(j);
      if (props[j]?.required === true) break;
    }
    candidates.push(c);
    mayClose.push(props.slice(last + 1).every((p) => !p.required));
  }
  return { props, candidates, mayClose };
}

class ObjectState implements ConstraintState {
  readonly canEnd: boolean;
  readonly closed: boolean;
  constructor(
    readonly spec: ObjectSpec,
    readonly phase: ObjectPhase,
    /** Index of the last emitted property, -1 before the first. */
    readonly last: number,
    /** Key phase: candidate property indices; colon/value phase: [the property]. */
    readonly props: readonly number[],
    readonly keyText: string,
    readonly child: ConstraintState | undefined,
  ) {
    this.canEnd = phase === 'done';
    this.closed = phase === 'done';
  }
  private startKey(ch: string): ConstraintState | undefined {
    const cands = this.spec.candidates[this.last + 1] ?? [];
    if (ch !== '"' || cands.length === 0) return undefined;
    return new ObjectState(this.spec, 'key', this.last, cands, '"', undefined);
  }
  feed(ch: string): ConstraintState | undefined {
    const { spec } = this;
    switch (this.phase) {
      case 'open':
        return ch === '{' ? new ObjectState(spec, 'first', -1, [], '', undefined) : undefined;
      case 'first':
        if (ch === '}' && spec.mayClose[0] === true) return new ObjectState(spec, 'done', -1, [], '', undefined);
        return this.startKey(ch);
      case 'next':
        return this.startKey(ch);
      case 'key': {
        const t = this.keyText + ch;
        const cands = this.props.filter((i) => spec.props[i]?.keyJson.startsWith(t) === true);
        const exact = cands.find((i) => spec.props[i]?.keyJson === t);
        // Keys hold no quote, so a key text ending in `"` names exactly one property.
        if (exact !== undefined) return new ObjectState(spec, 'colon', this.last, [exact], '', undefined);
        return cands.length === 0 ? undefined : new ObjectState(spec, 'key', this.last, cands, t, undefined);
      }
      case 'colon': {
        const prop = this.props[0] ?? 0;
        const node = spec.props[prop]?.node;
        if (ch !== ':' || node === undefined) return undefined;
        return new ObjectState(spec, 'value', prop, [prop], '', initialState(node));
      }
      case 'value': {
        const child = this.child;
        if (child === undefined) return undefined;
        const next = child.feed(ch);
        if (next !== undefined) return new ObjectState(spec, 'value', this.last, this.props, '', next);
        if (!child.canEnd) return undefined;
        if (ch === ',' && (spec.candidates[this.last + 1]?.length ?? 0) > 0) {
          return new ObjectState(spec, 'next', this.last, [], '', undefined);
        }
        if (ch === '}' && spec.mayClose[this.last + 1] === true) {
          return new ObjectState(spec, 'done', this.last, [], '', undefined);
        }
        return undefined;
      }
      case 'done':
        return undefined;
    }
  }
}

// ---------------------------------------------------------------- arrays

type ArrayPhase = 'open' | 'first' | 'next' | 'item' | 'done';

class ArrayState implements ConstraintState {
  readonly canEnd: boolean;
  readonly closed: boolean;
  constructor(
    readonly node: Extract<SchemaNode, { kind: 'array' }>,
    readonly phase: ArrayPhase,
    /** Items completed before the current one. */
    readonly count: number,
    /** Literal texts already used (uniqueItems). */
    readonly used: readonly string[],
    readonly child: ConstraintState | undefined,
  ) {
    this.canEnd = phase === 'done';
    this.closed = phase === 'done';
  }
  private itemStart(): ConstraintState {
    const items = this.node.items;
    if (this.node.unique && items.kind === 'literal') {
      return new LiteralState(
        items.values.filter((v) => !this.used.includes(v)),
        '',
      );
    }
    return initialState(items);
  }
  private startItem(ch: string): ConstraintState | undefined {
    if (this.count >= this.node.maxItems) return undefined;
    const child = this.itemStart().feed(ch);
    return child === undefined ? undefined : new ArrayState(this.node, 'item', this.count, this.used, child);
  }
  feed(ch: string): ConstraintState | undefined {
    const { node } = this;
    switch (this.phase) {
      case 'open':
        return ch === '[' ? new ArrayState(node, 'first', 0, [], undefined) : undefined;
      case 'first':
        if (ch === ']' && node.minItems === 0) return new ArrayState(node, 'done', 0, [], undefined);
        return this.startItem(ch);
      case 'next':
        return this.startItem(ch);
      case 'item': {
        const child = this.child;
        if (child === undefined) return undefined;
        const next = child.feed(ch);
        if (next !== undefined) return new ArrayState(node, 'item', this.count, this.used, next);
        if (!child.canEnd) return undefined;
        const count = this.count + 1;
        const used = child instanceof LiteralState && node.unique ? [...this.used, child.text] : this.used;
        if (ch === ',' && count < node.maxItems) {
          const itemsLeft = node.items.kind === 'literal' && node.unique ? node.items.values.length - used.length : 1;
          if (itemsLeft > 0) return new ArrayState(node, 'next', count, used, undefined);
        }
        if (ch === ']' && count >= node.minItems) return new ArrayState(node, 'done', count, used, undefined);
        return undefined;
      }
      case 'done':
        return undefined;
    }
  }
}

// ---------------------------------------------------------------- compile

const specs = new WeakMap<object, StringSpec | ObjectSpec>();

function initialState(node: SchemaNode): ConstraintState {
  switch (node.kind) {
    case 'literal':
      return new LiteralState(node.values, '');
    case 'string': {
      let spec = specs.get(node) as StringSpec | undefined;
      if (spec === undefined) {
        spec = { nfa: new PatternNfa(node.items), minLength: node.minLength, maxLength: node.maxLength };
        specs.set(node, spec);
      }
      return new StringState(spec, 0, 0, spec.nfa.start);
    }
    case 'integer':
      return new NumberState(node.signed, false, 'start', 0);
    case 'number':
      return new NumberState(node.signed, true, 'start', 0);
    case 'object': {
      let spec = specs.get(node) as ObjectSpec | undefined;
      if (spec === undefined) {
        spec = objectSpec(node.props);
        specs.set(node, spec);
      }
      return new ObjectState(spec, 'open', -1, [], '', undefined);
    }
    case 'array':
      return new ArrayState(node, 'open', 0, [], undefined);
  }
}

/** Refuses strings that no text can satisfy (a pattern longer than maxLength, say): they would dead-end generation. */
function checkSatisfiable(node: SchemaNode, path: string): void {
  switch (node.kind) {
    case 'string': {
      const nfa = new PatternNfa(node.items);
      if (!nfa.viable(nfa.start, node.minLength, node.maxLength)) {
        throw new LanguageSchemaError(
          'language.schema_unsupported',
          `schema ${path}: no string satisfies pattern, minLength and maxLength together`,
          {
            issues: [
              { code: 'pattern', path: path === '(root)' ? [] : path.split('.'), message: 'unsatisfiable string' },
            ],
          },
        );
      }
      return;
    }
    case 'object':
      for (const p of node.props) checkSatisfiable(p.node, path === '(root)' ? p.key : `${path}.${p.key}`);
      return;
    case 'array':
      checkSatisfiable(node.items, `${path}.items`);
      return;
    default:
      return;
  }
}

/** A compiled JSON Schema: the subset's node tree and the automaton over it. */
export class JsonConstraint {
  private constructor(readonly root: SchemaNode) {}

  /** Compiles a JSON Schema object; `language.schema_unsupported` names what falls outside the subset. */
  static compile(schema: unknown): JsonConstraint {
    const root = compileSchema(schema);
    checkSatisfiable(root, '(root)');
    return new JsonConstraint(root);
  }

  initial(): ConstraintState {
    return initialState(this.root);
  }

  /** True when `text` is a complete output of this constraint. */
  accepts(text: string): boolean {
    return feedText(this.initial(), text)?.canEnd === true;
  }
}
