import { PLAN_JSON_SCHEMA } from './plan.js';
import type { ZoneIndex } from './zones.js';

/** Longest place name a request may supply, in words (zone names are short; "the old logging camp road"). */
const MAX_SPAN_WORDS = 6;
/** The plan schema's own bounds on a zone name. */
const MAX_ZONE_CHARS = PLAN_JSON_SCHEMA.properties.zone.maxLength;
const ZONE_PATTERN = new RegExp(PLAN_JSON_SCHEMA.properties.zone.pattern);
/** Integers the schema admits: 16 digits stay exact in a JS number. */
const MAX_NUMBER_DIGITS = 16;

const NUMERIC_KEYS = ['altitudeM', 'speedMps', 'returnHomePct'] as const;

/**
 * The plan schema narrowed to one request: every number in a plan must be a
 * number the operator said, and a zone must be one the mission defines or
 * words the operator said (copied, so that an unknown place is rejected by
 * name instead of being garbled into something that looks like a place).
 *
 * Why: a small model's typical errors are a digit repeated or invented
 * ("67" read back as 6777) and a place name hallucinated half-way. Neither
 * can be caught afterwards (6777 % is a valid integer), but both can be made
 * unsayable. The model still decides which number is the altitude and
 * whether a place was named at all; grounding only removes values nobody
 * spoke. A request with no numbers yields a schema with no numeric fields.
 */
export function groundedPlanSchema(request: string, zones: ZoneIndex): object {
  const numbers = spokenIntegers(request);
  const places = [...new Set([...zones.known.map((z) => z.toLowerCase()), ...spokenSpans(request)])].filter(
    (p) => p.length <= MAX_ZONE_CHARS && ZONE_PATTERN.test(p),
  );
  const properties: Record<string, object> = {};
  for (const [key, schema] of Object.entries(PLAN_JSON_SCHEMA.properties)) {
    if ((NUMERIC_KEYS as readonly string[]).includes(key)) {
      if (numbers.length > 0) properties[key] = { enum: numbers };
    } else if (key === 'zone') {
      if (places.length > 0) properties[key] = { type: 'string', enum: places };
    } else {
      properties[key] = schema;
    }
  }
  return { ...PLAN_JSON_SCHEMA, properties };
}

/** Whole numbers written in digits, as integers, first mention first ("1,000" is two numbers: say "1000"). */
export function spokenIntegers(request: string): number[] {
  const out: number[] = [];
  for (const m of request.matchAll(/\d+/g)) {
    const digits = m[0].replace(/^0+(?=\d)/, '');
    if (digits.length > MAX_NUMBER_DIGITS) continue;
    const n = Number(digits);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** Every run of 1..6 consecutive words of the request, lowercased, joined by one space. */
export function spokenSpans(request: string): string[] {
  const words = request.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const out = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    let span = '';
    for (let j = i; j < Math.min(words.length, i + MAX_SPAN_WORDS); j++) {
      span = span === '' ? (words[j] ?? '') : `${span} ${words[j] ?? ''}`;
      if (span.length > MAX_ZONE_CHARS) break;
      out.add(span);
    }
  }
  return [...out];
}
