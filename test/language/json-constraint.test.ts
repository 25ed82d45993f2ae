import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  feedText,
  JsonConstraint,
  LanguageSchemaError,
  schemaToGbnf,
  Tokenizer,
  TokenTrie,
  type ConstraintState,
  type MaskVocabulary,
} from '../../language/index.js';
import { gpt2Tokenizer, hasGpt2, outputProblems, PLAN_SCHEMA } from './fixtures.js';

const MIXED_SCHEMA = {
  type: 'object',
  required: ['c', 'f'],
  properties: {
    a: { type: 'number' },
    b: { type: 'boolean' },
    c: {
      type: 'object',
      additionalProperties: false,
      required: ['y'],
      properties: { x: { type: 'integer', minimum: 0 }, y: { type: 'null' } },
    },
    d: { type: 'array', items: { type: 'integer' }, minItems: 1, maxItems: 3 },
    e: { enum: [1, 12, 'x', true] },
    f: { type: 'string', minLength: 2, maxLength: 6, pattern: '^[A-F]{2,3}[0-9]?\\d*$' },
    g: { type: 'string', maxLength: 5 },
  },
} as const;

const ARRAY_SCHEMA = { type: 'array', items: { enum: ['a', 'ab', 'b'] }, uniqueItems: true, minItems: 1, maxItems: 3 };
const INTEGER_SCHEMA = { type: 'integer' };

const SCHEMAS: readonly [string, object][] = [
  ['plan', PLAN_SCHEMA],
  ['mixed', MIXED_SCHEMA],
  ['unique array root', ARRAY_SCHEMA],
  ['integer root', INTEGER_SCHEMA],
];

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

function allowedChars(state: ConstraintState): string[] {
  return PRINTABLE.filter((ch) => state.feed(ch) !== undefined);
}

/** A vocabulary of single characters and multi-character chunks that cross JSON structure, plus EOS. */
function chunkVocabulary(): { vocab: MaskVocabulary; texts: string[]; eos: number } {
  const chunks = [
    '{"',
    '":"',
    '","',
    '"}',
    '"]',
    '":',
    ',"',
    '"},',
    '":{"',
    '["',
    '"]}',
    '}}',
    '],"',
    'behavior',
    'zone',
    'altitudeM',
    'targets',
    'payload',
    'speedMps',
    'returnHomePct',
    'patrol',
    'pat',
    'rol',
    'area_search',
    'return_home',
    'land',
    'hold',
    'inspection',
    'fire',
    'smoke',
    'person',
    'vehicle',
    'confirm',
    'auto',
    'off',
    '["fire","smoke"]',
    '12',
    '345',
    '-1',
    '00',
    '0.',
    '.5',
    'a b',
    'east ',
    'null',
    'true',
    'false',
    'ABC',
    'ab',
  ];
  const texts = [...PRINTABLE, ...chunks];
  const eos = texts.length;
  const vocab: MaskVocabulary = {
    vocabSize: texts.length + 1,
    tokenText: (id) => texts[id],
    isSpecial: (id) => id === eos,
  };
  return { vocab, texts, eos };
}

describe('JsonConstraint: examples', () => {
  const plan = JsonConstraint.compile(PLAN_SCHEMA);
  it.each([
    '{"behavior":"patrol"}',
    '{"behavior":"area_search","zone":"east sector 2","altitudeM":40,"returnHomePct":30,"targets":["fire","person"]}',
    '{"behavior":"land","altitudeM":-9999999999999999}',
    '{"behavior":"hold","targets":[],"payload":"off"}',
    '{"behavior":"hold","targets":["vehicle","person","smoke","fire"]}',
  ])('accepts %s', (text) => {
    expect(plan.accepts(text)).toBe(true);
    expect(outputProblems(text, PLAN_SCHEMA)).toEqual([]);
  });

  it.each([
    ['missing required', '{"zone":"a"}'],
    ['out of order', '{"behavior":"land","payload":"off","zone":"a"}'],
    ['duplicate target', '{"behavior":"patrol","targets":["fire","fire"]}'],
    ['leading zero', '{"behavior":"patrol","altitudeM":012}'],
    ['minus zero', '{"behavior":"patrol","altitudeM":-0}'],
    ['17 digits', '{"behavior":"patrol","altitudeM":12345678901234567}'],
    ['pattern', '{"behavior":"land","zone":"East"}'],
    ['zone too long', `{"behavior":"land","zone":"${'a'.repeat(41)}"}`],
    ['whitespace', '{"behavior": "land"}'],
    ['extra key', '{"behavior":"land","mode":"x"}'],
    ['five targets', '{"behavior":"hold","targets":["vehicle","person","smoke","fire","fire"]}'],
    ['fraction in integer', '{"behavior":"land","altitudeM":1.5}'],
    ['trailing comma', '{"behavior":"land",}'],
  ])('refuses %s', (_why, text) => {
    expect(plan.accepts(text)).toBe(false);
  });

  it('closes the root object: nothing may follow and the state says so', () => {
    const s = feedText(plan.initial(), '{"behavior":"land"}');
    expect(s?.closed).toBe(true);
    expect(s?.canEnd).toBe(true);
    expect(allowedChars(s!)).toEqual([]);
  });

  it('numbers: at most 3 fraction digits, no trailing zero, -0.5 allowed, -0 not', () => {
    const n = JsonConstraint.compile({ type: 'number' });
    for (const ok of ['0', '-0.5', '1.25', '10.101', '-7']) expect(n.accepts(ok), ok).toBe(true);
    for (const bad of ['1.50', '1.', '1.2345', '-0', '01', '.5', '1e5']) expect(n.accepts(bad), bad).toBe(false);
  });

  it('a root integer may end after any digit but is never "closed" before 16 digits', () => {
    const s = feedText(JsonConstraint.compile(INTEGER_SCHEMA).initial(), '42');
    expect(s?.canEnd).toBe(true);
    expect(s?.closed).toBe(false);
  });
});

describe('JsonConstraint: schemas outside the subset', () => {
  it.each([
    ['string without maxLength', { type: 'string' }, 'maxLength'],
    ['alternation in pattern', { type: 'string', maxLength: 5, pattern: '^(a|b)$' }, 'pattern'],
    ['unanchored pattern', { type: 'string', maxLength: 5, pattern: '[a-z]+' }, 'pattern'],
    [
      'uniqueItems over integers',
      { type: 'array', items: { type: 'integer' }, maxItems: 2, uniqueItems: true },
      'uniqueItems',
    ],
    ['array without maxItems', { type: 'array', items: { enum: ['a'] } }, 'maxItems'],
    ['unknown type', { type: 'foo' }, 'type'],
    ['minimum other than 0', { type: 'integer', minimum: 5 }, 'minimum'],
    ['unknown keyword', { type: 'integer', multipleOf: 2 }, 'multipleOf'],
    ['required not declared', { type: 'object', properties: {}, required: ['a'] }, 'required'],
    ['oneOf', { oneOf: [{ type: 'integer' }] }, 'type'],
    ['unsatisfiable string', { type: 'string', maxLength: 2, pattern: '^[a-z]{3}$' }, 'pattern'],
  ])('BAD CALL - %s is refused with language.schema_unsupported', (_why, schema, keyword) => {
    let error: unknown;
    try {
      JsonConstraint.compile(schema);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LanguageSchemaError);
    expect((error as LanguageSchemaError).code).toBe('language.schema_unsupported');
    expect((error as LanguageSchemaError).issues[0]?.code).toBe(keyword);
  });
});

describe('JsonConstraint: properties', () => {
  it.each(SCHEMAS)('%s: random character walks stay live and end in schema-valid compact JSON', (_name, schema) => {
    const c = JsonConstraint.compile(schema);
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 50, maxLength: 400 }), (choices) => {
        let state = c.initial();
        let text = '';
        for (let step = 0; ; step++) {
          const allowed = allowedChars(state);
          // Liveness: never stuck short of a complete value.
          expect(allowed.length > 0 || state.canEnd, `stuck after ${text}`).toBe(true);
          const choice = choices[step % choices.length] ?? 0;
          if (state.canEnd && (allowed.length === 0 || choice % 5 === 0)) break;
          const ch = allowed[choice % allowed.length] ?? '';
          state = state.feed(ch)!;
          text += ch;
          // Bounded: the longest plan is a few hundred characters.
          expect(step).toBeLessThan(2000);
        }
        expect(outputProblems(text, schema as Record<string, unknown>)).toEqual([]);
      }),
      { numRuns: 150, seed: 12 },
    );
  });

  it.each(SCHEMAS)(
    '%s: random token walks over a chunked vocabulary end valid, and the trie mask equals a brute-force mask',
    (_name, schema) => {
      const c = JsonConstraint.compile(schema);
      const { vocab, texts, eos } = chunkVocabulary();
      const trie = new TokenTrie(vocab);
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 20, maxLength: 200 }), (choices) => {
          let state = c.initial();
          let text = '';
          for (let step = 0; step < 2000; step++) {
            const mask = trie.mask(state);
            const brute = texts.flatMap((t, id) => (feedText(state, t) === undefined ? [] : [id]));
            expect([...mask.allowed].sort((a, b) => a - b)).toEqual(brute);
            const options = mask.eosAllowed ? [...mask.allowed, eos] : [...mask.allowed];
            expect(options.length, `stuck after ${text}`).toBeGreaterThan(0);
            const pick = options[(choices[step % choices.length] ?? 0) % options.length]!;
            if (pick === eos) break;
            const t = texts[pick]!;
            state = feedText(state, t)!;
            text += t;
            if (state.closed) break;
          }
          expect(state.canEnd).toBe(true);
          expect(outputProblems(text, schema as Record<string, unknown>)).toEqual([]);
        }),
        { numRuns: 100, seed: 34 },
      );
    },
  );

  it('plan: every canonical serialisation of a valid plan is accepted (completeness)', () => {
    const c = JsonConstraint.compile(PLAN_SCHEMA);
    const plan = fc.record(
      {
        behavior: fc.constantFrom(...PLAN_SCHEMA.properties.behavior.enum),
        zone: fc.stringMatching(/^[a-z][a-z0-9 ]{0,39}$/),
        altitudeM: fc.maxSafeInteger(),
        speedMps: fc.integer(),
        returnHomePct: fc.integer({ min: 0, max: 100 }),
        targets: fc.uniqueArray(fc.constantFrom(...PLAN_SCHEMA.properties.targets.items.enum), { maxLength: 4 }),
        payload: fc.constantFrom(...PLAN_SCHEMA.properties.payload.enum),
      },
      { requiredKeys: ['behavior'] },
    );
    fc.assert(
      fc.property(plan, (p) => {
        expect(c.accepts(JSON.stringify(p))).toBe(true);
      }),
      { numRuns: 300, seed: 56 },
    );
  });

  it('plan: mutated texts that the automaton still accepts are valid (soundness)', () => {
    const c = JsonConstraint.compile(PLAN_SCHEMA);
    const base = '{"behavior":"area_search","zone":"east 2","altitudeM":40,"targets":["fire","smoke"],"payload":"off"}';
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length), fc.constantFrom('del', 'ins', 'rep'), fc.constantFrom(...PRINTABLE)), {
          minLength: 1,
          maxLength: 3,
        }),
        (edits) => {
          let text = base;
          for (const [at, op, ch] of edits) {
            const i = at % (text.length + 1);
            if (op === 'del') text = text.slice(0, i) + text.slice(i + 1);
            else if (op === 'ins') text = text.slice(0, i) + ch + text.slice(i);
            else text = text.slice(0, i) + ch + text.slice(i + 1);
          }
          if (c.accepts(text)) {
            accepted++;
            expect(outputProblems(text, PLAN_SCHEMA)).toEqual([]);
          }
        },
      ),
      { numRuns: 2000, seed: 78 },
    );
    // The property only means something if some mutants survive (digits, zone letters).
    expect(accepted).toBeGreaterThan(20);
  });
});

describe('TokenTrie on the GPT-2 vocabulary', () => {
  it.skipIf(!hasGpt2)(
    'masks 50k byte-level tokens exactly like a brute-force check',
    () => {
      const tokenizer = Tokenizer.fromJson(JSON.parse(readFileSync(gpt2Tokenizer, 'utf8')));
      const trie = new TokenTrie(tokenizer);
      const c = JsonConstraint.compile(PLAN_SCHEMA);
      for (const prefix of [
        '',
        '{"behavior":"pat',
        '{"behavior":"patrol","zone":"e',
        '{"behavior":"land","targets":["fire",',
      ]) {
        const state = feedText(c.initial(), prefix)!;
        const brute: number[] = [];
        for (let id = 0; id < tokenizer.vocabSize; id++) {
          if (tokenizer.isSpecial(id)) continue;
          const t = tokenizer.tokenText(id);
          if (t !== undefined && t !== '' && feedText(state, t) !== undefined) brute.push(id);
        }
        expect(
          [...trie.mask(state).allowed].sort((a, b) => a - b),
          prefix,
        ).toEqual(brute);
      }
    },
    60_000,
  );
});

describe('schemaToGbnf', () => {
  it('writes the plan schema as a compact grammar: ordered optional keys, the zone class, unique targets', () => {
    const gbnf = schemaToGbnf(JsonConstraint.compile(PLAN_SCHEMA).root);
    expect(gbnf.startsWith('root ::= ')).toBe(true);
    expect(gbnf).toContain('"\\"behavior\\"" ":"');
    expect(gbnf).toContain('[a-z] [\\x200-9a-z]{0,39}');
    expect(gbnf).not.toContain(' ""');
    expect(gbnf).toContain('("0" | "-"? [1-9] [0-9]{0,15})');
    // 4 targets, at most 4 items: one rule per subset that can still grow (1 + 4 + 6 + 4 = 15).
    expect(gbnf.split('\n').filter((l) => /\\"(fire|smoke|person|vehicle)\\""/.test(l)).length).toBe(15);
    expect(gbnf).not.toMatch(/\\s|\[ \\t/);
  });
});
