/**
 * Shared test data for test/language: fixture paths, the tasking plan schema
 * (the tasking engineer owns the real one) and a JSON Schema checker written
 * independently of language/ (JS RegExp for patterns, plain recursion), so the
 * constraint is judged by something other than itself.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtureDir = path.join(repoRoot, 'test/fixtures/language');
export const fixtureManifest = path.join(fixtureDir, 'model.yaml');
export const fixtureModel = path.join(fixtureDir, 'tiny-lm.onnx');
export const fixtureTokenizer = path.join(fixtureDir, 'tokenizer.json');
export const fixtureConfig = path.join(fixtureDir, 'genai_config.json');

export const referenceDir = path.resolve(repoRoot, '../shared/reference/llm');
export const gpt2Dir = path.join(referenceDir, 'tiny-random-gpt2');
export const gpt2Model = path.join(gpt2Dir, 'past.onnx');
export const gpt2Tokenizer = path.join(gpt2Dir, 'tokenizer.json');
export const gpt2Config = path.join(gpt2Dir, 'genai_config.json');
export const referenceGguf = path.join(referenceDir, 'llama-2-tiny-random.gguf');
export const hasGpt2 = existsSync(gpt2Model) && existsSync(gpt2Tokenizer);
export const hasGguf = existsSync(referenceGguf);

export const PLAN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['behavior'],
  properties: {
    behavior: { type: 'string', enum: ['area_search', 'patrol', 'inspection', 'hold', 'return_home', 'land'] },
    zone: { type: 'string', maxLength: 40, pattern: '^[a-z][a-z0-9 ]*$' },
    altitudeM: { type: 'integer' },
    speedMps: { type: 'integer' },
    returnHomePct: { type: 'integer' },
    targets: {
      type: 'array',
      items: { type: 'string', enum: ['fire', 'smoke', 'person', 'vehicle'] },
      maxItems: 4,
      uniqueItems: true,
    },
    payload: { type: 'string', enum: ['auto', 'confirm', 'off'] },
  },
} as const;

/** The plan schema with every key required and at least two targets: output must go through every construct. */
export const FULL_PLAN_SCHEMA = {
  ...PLAN_SCHEMA,
  required: Object.keys(PLAN_SCHEMA.properties),
  properties: { ...PLAN_SCHEMA.properties, targets: { ...PLAN_SCHEMA.properties.targets, minItems: 2 } },
} as const;

export const REQUESTS = [
  'search the east sector for fires, stay above 40 metres, come home at 30 percent battery',
  'patrol the north fence at 12 m/s',
  'land now',
  'inspect the water tower and look for smoke or persons',
  'hold position, payload off',
  'return home',
];

type Schema = Readonly<Record<string, unknown>>;

/** Problems of `value` against `schema` (subset keywords only); empty when valid. */
export function schemaProblems(value: unknown, schema: Schema, at = '$'): string[] {
  const out: string[] = [];
  const enumValues = schema.enum as unknown[] | undefined;
  if (enumValues !== undefined && !enumValues.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    out.push(`${at}: not in enum`);
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) out.push(`${at}: not const`);
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return [...out, `${at}: not a string`];
      if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) out.push(`${at}: too long`);
      if (typeof schema.minLength === 'number' && value.length < schema.minLength) out.push(`${at}: too short`);
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
        out.push(`${at}: pattern`);
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) out.push(`${at}: not an integer`);
      else if (typeof schema.minimum === 'number' && value < schema.minimum) out.push(`${at}: below minimum`);
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) out.push(`${at}: not a number`);
      else if (typeof schema.minimum === 'number' && value < schema.minimum) out.push(`${at}: below minimum`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${at}: not a boolean`);
      break;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [...out, `${at}: not an object`];
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const keys = Object.keys(value);
      for (const r of (schema.required ?? []) as string[]) if (!keys.includes(r)) out.push(`${at}: missing ${r}`);
      const declared = Object.keys(props);
      let lastIndex = -1;
      for (const k of keys) {
        const sub = props[k];
        if (sub === undefined) {
          if (schema.additionalProperties === false) out.push(`${at}: extra key ${k}`);
          continue;
        }
        const idx = declared.indexOf(k);
        if (idx < lastIndex) out.push(`${at}: key ${k} out of declared order`);
        lastIndex = idx;
        out.push(...schemaProblems((value as Record<string, unknown>)[k], sub, `${at}.${k}`));
      }
      break;
    }
    case 'array': {
      if (!Array.isArray(value)) return [...out, `${at}: not an array`];
      if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) out.push(`${at}: too many items`);
      if (typeof schema.minItems === 'number' && value.length < schema.minItems) out.push(`${at}: too few items`);
      if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
        out.push(`${at}: duplicate items`);
      }
      value.forEach((v, i) => out.push(...schemaProblems(v, schema.items as Schema, `${at}[${i}]`)));
      break;
    }
    default:
      break;
  }
  return out;
}

/** Parses `text` and lists every way it falls short: not JSON, not compact, or not schema-valid. */
export function outputProblems(text: string, schema: Schema): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [`not JSON: ${text}`];
  }
  const problems = schemaProblems(value, schema);
  // Numbers with more significant digits than a double holds re-serialise differently: compare them by value.
  const normalised = text
    .split(/("[^"]*")/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/-?\d+(\.\d+)?/g, (m) => String(Number(m)))))
    .join('');
  if (JSON.stringify(value) !== normalised) problems.push(`not compact canonical: ${text}`);
  return problems;
}
