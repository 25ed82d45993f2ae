/**
 * GBNF (llama.cpp grammar) for a compiled schema, accepting exactly the texts
 * the character automaton accepts, so GGUF and ONNX models are held to the
 * same outputs.
 *
 * Why not node-llama-cpp's `createGrammarForJsonSchema`: in 3.21/3.22 it treats
 * every property as required, ignores `pattern` and `uniqueItems`, and allows
 * whitespace between tokens; a plan it accepts can fail the tasking schema.
 */
import type { CharClass, PatternItem, SchemaNode } from './json-schema-subset.js';
import { MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS } from './json-schema-subset.js';
import { LanguageSchemaError } from './errors.js';

/** Most rules the unique-array expansion may write (one per reachable subset of enum values). */
const MAX_SUBSET_RULES = 4096;

function literal(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function hex(code: number): string {
  return /[a-zA-Z0-9]/.test(String.fromCharCode(code))
    ? String.fromCharCode(code)
    : `\\x${code.toString(16).padStart(2, '0')}`;
}

function charClass(chars: CharClass): string {
  let out = '';
  for (let i = 0; i < 128; i++) {
    if (chars[i] !== 1) continue;
    let j = i;
    while (j + 1 < 128 && chars[j + 1] === 1) j++;
    out += j - i >= 2 ? `${hex(i)}-${hex(j)}` : j === i ? hex(i) : `${hex(i)}${hex(j)}`;
    i = j;
  }
  return `[${out}]`;
}

function repeat(atom: string, min: number, max: number): string {
  if (max === 0) return '""';
  if (min === max) return min === 1 ? atom : `${atom}{${min}}`;
  if (min === 0 && max === 1) return `${atom}?`;
  return `${atom}{${min},${max}}`;
}

class GbnfWriter {
  private readonly rules: string[] = [];
  private readonly memo = new Map<string, string>();
  private count = 0;

  rule(body: string, key?: string): string {
    if (key !== undefined) {
      const known = this.memo.get(key);
      if (known !== undefined) return known;
    }
    const name = `r${this.count++}`;
    if (key !== undefined) this.memo.set(key, name);
    this.rules.push(`${name} ::= ${body}`);
    return name;
  }

  text(root: string): string {
    return [`root ::= ${root}`, ...this.rules].join('\n');
  }

  value(node: SchemaNode): string {
    switch (node.kind) {
      case 'literal':
        return node.values.length === 1 ? literal(node.values[0] ?? '') : `(${node.values.map(literal).join(' | ')})`;
      case 'integer': {
        const int = `("0" | ${node.signed ? '"-"? ' : ''}[1-9] [0-9]{0,${MAX_INTEGER_DIGITS - 1}})`;
        return this.rule(int, `int:${node.signed}`);
      }
      case 'number': {
        // No trailing zero in the fraction (canonical 1.5, never 1.50).
        const frac = `"." [0-9]{0,${MAX_FRACTION_DIGITS - 1}} [1-9]`;
        const int = `("0" | ${node.signed ? '"-"? ' : ''}[1-9] [0-9]{0,${MAX_INTEGER_DIGITS - 1}}) (${frac})?`;
        return this.rule(node.signed ? `${int} | "-0" ${frac}` : int, `num:${node.signed}`);
      }
      case 'string': {
        const body = this.pattern(node.items, 0, node.maxLength, node.minLength);
        if (body === undefined) throw new LanguageSchemaError('language.schema_unsupported', 'unsatisfiable string');
        return this.rule(`"\\"" ${body} "\\""`);
      }
      case 'object':
        return this.object(node);
      case 'array':
        return this.array(node);
    }
  }

  /** Items i.. with at most `maxLeft` and at least `minLeft` more characters; undefined when impossible. */
  private pattern(items: readonly PatternItem[], i: number, maxLeft: number, minLeft: number): string | undefined {
    const item = items[i];
    if (item === undefined) return minLeft <= 0 ? '""' : undefined;
    const key = `pat:${i}:${maxLeft}:${minLeft}:${items.map((it) => `${it.min}-${it.max}`).join(',')}:${charClass(item.chars)}`;
    const cls = charClass(item.chars);
    let restMin = 0;
    for (let j = i + 1; j < items.length; j++) restMin += items[j]?.min ?? 0;
    const hi = Math.min(item.max, maxLeft - restMin);
    if (i === items.length - 1) {
      const lo = Math.max(item.min, minLeft);
      return lo > hi ? undefined : repeat(cls, lo, hi);
    }
    const alts: string[] = [];
    for (let k = item.min; k <= hi; k++) {
      const rest = this.pattern(items, i + 1, maxLeft - k, Math.max(0, minLeft - k));
      if (rest !== undefined) alts.push(`${repeat(cls, k, k)} ${rest}`);
      // Past the minimum, an unbounded item only shifts length to later items: enumerate up to maxLeft.
    }
    if (alts.length === 0) return undefined;
    return alts.length === 1 ? (alts[0] ?? '') : this.rule(alts.join(' | '), key);
  }

  private object(node: Extract<SchemaNode, { kind: 'object' }>): string {
    const props = node.props;
    const values = props.map((p) => this.value(p.node));
    // after[last + 1]: what may follow once property `last` is written (-1: nothing yet).
    const after = new Array<string>(props.length + 1);
    for (let last = props.length - 1; last >= -1; last--) {
      const alts: string[] = [];
      for (let j = last + 1; j < props.length; j++) {
        const p = props[j];
        if (p === undefined) break;
        const rest = after[j + 1] ?? '""';
        alts.push(
          `${last >= 0 ? '"," ' : ''}${literal(p.keyJson)} ":" ${values[j] ?? ''}${rest === '""' ? '' : ` ${rest}`}`,
        );
        if (p.required) break;
      }
      const mayClose = props.slice(last + 1).every((p) => !p.required);
      after[last + 1] = alts.length === 0 ? '""' : this.rule(mayClose ? `(${alts.join(' | ')})?` : alts.join(' | '));
    }
    return this.rule(`"{" ${after[0] ?? '""'} "}"`);
  }

  private array(node: Extract<SchemaNode, { kind: 'array' }>): string {
    const { items, minItems, maxItems } = node;
    if (maxItems === 0) return '"[]"';
    if (!node.unique || items.kind !== 'literal') {
      const item = this.value(items);
      const tail = maxItems > 1 ? ` ("," ${item}){${Math.max(0, minItems - 1)},${maxItems - 1}}` : '';
      const seq = `${item}${tail}`;
      return this.rule(minItems === 0 ? `"[" (${seq})? "]"` : `"[" ${seq} "]"`);
    }
    const values = items.values;
    if (values.length > 30) {
      throw new LanguageSchemaError('language.schema_unsupported', 'uniqueItems over more than 30 enum values');
    }
    const lits = values.map(literal);
    let rules = 0;
    // One rule per set of values already written: each value at most once, in any order.
    const subset = (used: number, size: number): string => {
      const alts: string[] = [];
      if (size < maxItems) {
        values.forEach((_, v) => {
          if ((used & (1 << v)) !== 0) return;
          const rest = subset(used | (1 << v), size + 1);
          alts.push(`${size > 0 ? '"," ' : ''}${lits[v] ?? ''}${rest === '""' ? '' : ` ${rest}`}`);
        });
      }
      if (alts.length === 0) return '""';
      if (++rules > MAX_SUBSET_RULES) {
        throw new LanguageSchemaError(
          'language.schema_unsupported',
          `uniqueItems over ${values.length} enum values needs too large a grammar`,
        );
      }
      const body = size >= minItems ? `(${alts.join(' | ')})?` : alts.join(' | ');
      return this.rule(body, `uniq:${values.join(',')}:${minItems}:${maxItems}:${used}`);
    };
    return this.rule(`"[" ${subset(0, 0)} "]"`);
  }
}

/** The GBNF grammar (root rule `root`) for a compiled schema. */
export function schemaToGbnf(root: SchemaNode): string {
  const writer = new GbnfWriter();
  return writer.text(writer.value(root));
}
