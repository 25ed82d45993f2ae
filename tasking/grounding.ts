import { PLAN_JSON_SCHEMA } from './plan.js';
import { DEFAULT_TASKING_VOCABULARY, spokenBehaviors, spokenTargets, type TaskingVocabulary } from './vocabulary.js';
import { admittedPayload } from './payload-cues.js';
import { JOINERS, clausesOf, near, percentWord, phraseAt, requestWords, saidAt } from './words.js';
import { RETURN_VERBS, namedZones, zonesInsidePlaces } from './zone-mentions.js';
import { overrideAttempt } from './override.js';
import type { ZoneIndex } from './zones.js';

/** Longest place name a request may supply, in words (zone names are short; "the old logging camp road"). */
export const MAX_SPAN_WORDS = 6;
/** The plan schema's own bounds on a zone name. */
export const MAX_ZONE_CHARS = PLAN_JSON_SCHEMA.properties.zone.maxLength;
export const ZONE_PATTERN = new RegExp(PLAN_JSON_SCHEMA.properties.zone.pattern);
/** Integers the schema admits: 16 digits stay exact in a JS number. */
const MAX_NUMBER_DIGITS = 16;

/** The plan's numeric keys and the quantity each one holds. */
const NUMERIC_KEYS = { altitudeM: 'length', speedMps: 'speed', returnHomePct: 'percent' } as const;
type Quantity = (typeof NUMERIC_KEYS)[keyof typeof NUMERIC_KEYS];

/**
 * The plan schema narrowed to one request: every number in a plan must be a
 * number the operator said, as the quantity its key holds; a zone must be
 * one the mission defines or words the operator said (copied, so that an
 * unknown place is rejected by name instead of being garbled into something
 * that looks like a place); a behavior other than hold, and a target class,
 * must be one the request names, and a payload policy needs a request that
 * speaks of the payload (vocabulary.ts).
 *
 * Why: a small model's typical errors are a digit repeated or invented
 * ("67" read back as 6777), a number put under the wrong key ("home at 67
 * percent" read back as a speed of 67 m/s) and a place name hallucinated
 * half-way. None can be caught afterwards (6777 % is a valid integer, 67 m/s
 * a valid speed), but all can be made unsayable. The model still decides
 * which number is the altitude and whether a place was named; grounding only
 * removes values nobody spoke. A number said with no unit may fill any
 * numeric key; a request with no numbers yields a schema with no numeric fields.
 * A request that tries to set the guardrails aside (override.ts) gets a
 * schema that admits hold alone.
 */
export function groundedPlanSchema(
  request: string,
  zones: ZoneIndex,
  vocabulary: TaskingVocabulary = DEFAULT_TASKING_VOCABULARY,
): object {
  if (overrideAttempt(request) !== undefined) return HOLD_ONLY_SCHEMA;
  const said = spokenQuantities(request);
  const classes = spokenTargets(request, vocabulary);
  const named = namedZones(request, zones);
  const inside = zonesInsidePlaces(request, zones, named);
  const copied = spokenSpans(request).filter((span) => mayNamePlace(span, vocabulary));
  const places = [...new Set([...named.map((z) => z.toLowerCase()), ...copied, ...inside.keys()])].filter(
    (p) => p.length <= MAX_ZONE_CHARS && ZONE_PATTERN.test(p) && (inside.has(p) || namesNoOtherZone(p, zones, named)),
  );
  const payload = admittedPayload(request, vocabulary);
  const behaviors = spokenBehaviors(request, vocabulary);
  const properties: Record<string, object> = {};
  for (const [key, schema] of Object.entries(PLAN_JSON_SCHEMA.properties)) {
    if (Object.hasOwn(NUMERIC_KEYS, key)) {
      const numbers = said[NUMERIC_KEYS[key as keyof typeof NUMERIC_KEYS]];
      if (numbers.length > 0) properties[key] = { enum: numbers };
    } else if (key === 'zone') {
      if (places.length > 0) properties[key] = { type: 'string', enum: places };
    } else if (key === 'behavior') {
      properties[key] = { type: 'string', enum: behaviors };
    } else if (key === 'targets') {
      const t = PLAN_JSON_SCHEMA.properties.targets;
      if (classes.length > 0)
        properties[key] = { ...t, items: { ...t.items, enum: classes }, maxItems: classes.length };
    } else if (key === 'payload') {
      // Only the policies the request's words allow: a drop held back is never automatic (payload-cues.ts).
      if (payload !== undefined) properties[key] = { ...schema, enum: payload.policies };
    } else {
      properties[key] = schema;
    }
  }
  // ...and the plan must say so: without a payload key the policy already flying (auto, maybe) would stay.
  const required: string[] = [...PLAN_JSON_SCHEMA.required];
  if (payload?.required === true) required.push('payload');
  if (holdsOrLandsAtPlace(request, behaviors, places, zones, named, vocabulary)) required.push('zone');
  return { ...PLAN_JSON_SCHEMA, properties, required };
}

/** Prepositions that put a hold or a landing at a place: "hover close to the marina", "land near base". */
// Not "on": "come on home", "hold on", "carry on" put nothing at a place.
const AT_PLACE = [['close', 'to'], ['near'], ['next', 'to'], ['by'], ['at'], ['over'], ['above'], ['beside']];

/**
 * Whether the request can only hold or land, and says where: a preposition
 * of place right before one of the places it admits ("hold it there close
 * to base", "land right over the marina"). Its plan must then name the
 * place. The model had answered about half its zone errors on held-out
 * requests with no zone for "close to X": a landing where the aircraft is,
 * not at the place the operator said. A request that names another behavior
 * ("stop searching the quarry and hold") is left to the model.
 */
function holdsOrLandsAtPlace(
  request: string,
  behaviors: readonly string[],
  places: readonly string[],
  zones: ZoneIndex,
  named: readonly string[],
  vocabulary: TaskingVocabulary,
): boolean {
  if (places.length === 0 || !behaviors.every((b) => b === 'hold' || b === 'land' || b === 'return_home')) return false;
  // The places the plan may name, and the named zones as the request says them ("launch pad" for base).
  const spokenZones = zones.forms.filter((z) => named.includes(z.name)).flatMap((z) => z.forms);
  const placeWords = [...places, ...spokenZones].map((p) => requestWords(p));
  const clauses = clausesOf(request);
  return clauses.some((clause) => {
    const words = requestWords(clause);
    return AT_PLACE.some((prep) =>
      saidAt(words, prep).some((at) => {
        const from = at + prep.length + (words[at + prep.length] === 'the' ? 1 : 0);
        const place = placeWords.find((p) => saidAt(words.slice(from, from + p.length), p).length > 0);
        if (place === undefined) return false;
        // Return home named by the place itself ("hover close to the launch pad", "land near home") is no
        // return: the request without the place must still name nothing but hold or land.
        if (!behaviors.includes('return_home')) return true;
        const rest = [...words.slice(0, from), ...words.slice(from + place.length)].join(' ');
        const others = clauses.filter((c) => c !== clause);
        return !spokenBehaviors([rest, ...others].join(', '), vocabulary).includes('return_home');
      }),
    );
  });
}

/** Whether a copied place is not, under another spelling, a zone the request did not name ("quarry" out of "upper quarry"). */
function namesNoOtherZone(place: string, zones: ZoneIndex, named: readonly string[]): boolean {
  const lookup = zones.resolve(place);
  return !lookup.ok || named.includes(lookup.zone.name);
}

/** The only plan a request that tries to set the guardrails aside can get (override.ts). */
const HOLD_ONLY_SCHEMA = {
  ...PLAN_JSON_SCHEMA,
  properties: { behavior: { type: 'string', enum: ['hold'] } },
} as const;

/** Whole numbers written in digits, as integers, first mention first ("1,000" is two numbers: say "1000"). */
export function spokenIntegers(request: string): number[] {
  const out: number[] = [];
  for (const { value } of spokenNumbers(request)) if (!out.includes(value)) out.push(value);
  return out;
}

/**
 * The numbers a request says, sorted by the quantity the unit after each one
 * names: metres (`40 m`, `40 metres`), metres per second (`8 m/s`, `8 mps`,
 * `8 metres per second`) or percent (`30%`, `30 percent`). A number with no
 * unit, or one this does not know (`400 feet`), counts as every quantity:
 * grounding narrows by unit only where the operator said one. Unit words
 * are matched allowing one typo ("metrs", "prcent"), as operators type them.
 */
export function spokenQuantities(request: string): Record<Quantity, number[]> {
  const out: Record<Quantity, number[]> = { length: [], speed: [], percent: [] };
  const add = (q: Quantity, n: number): void => {
    if (!out[q].includes(n)) out[q].push(n);
  };
  for (const { value, after } of spokenNumbers(request)) {
    const unit = unitOf(after);
    if (unit === undefined) for (const q of Object.keys(out) as Quantity[]) add(q, value);
    else add(unit, value);
  }
  return out;
}

function spokenNumbers(request: string): { value: number; after: string }[] {
  const out: { value: number; after: string }[] = [];
  for (const m of request.matchAll(/\d+/g)) {
    const digits = m[0].replace(/^0+(?=\d)/, '');
    if (digits.length > MAX_NUMBER_DIGITS) continue;
    out.push({ value: Number(digits), after: request.slice(m.index + m[0].length) });
  }
  return out;
}

/** The quantity the text right after a number names, if it starts with a unit. */
function unitOf(after: string): Quantity | undefined {
  const text = after.toLowerCase();
  if (/^\s*%/.test(text)) return 'percent';
  if (/^\s*(m\/s|mps)\b/.test(text)) return 'speed';
  const words = text.match(/^\s*([a-z]+)(?:\s+([a-z]+)(?:\s+([a-z]+))?)?/);
  const [first = '', second = '', third = ''] = words?.slice(1) ?? [];
  if (percentWord(first, second)) return 'percent';
  if (first === 'm' || LENGTH_WORDS.some((w) => near(first, w))) {
    // "metres per second", "metres a second": a speed, not a height.
    const perSecond = (second === 'per' || second === 'a') && near(third, 'second');
    return perSecond ? 'speed' : 'length';
  }
  return undefined;
}

const LENGTH_WORDS = ['metres', 'meters', 'metre', 'meter'];

/**
 * Words that never fall inside a place name: prepositions of purpose and
 * place, conjunctions that join clauses, the operator's pronouns and modal
 * verbs, and radio sign-offs. A place is a noun phrase; "the summit for",
 * "the village at", "logging camp and" and "the marina roger" are the edge of
 * one clause running into the next. (A mission's own zones are admitted
 * whatever their words; this only bounds what may be copied from a request.)
 */
const NOT_IN_PLACE = new Set(
  [
    ['for', 'at', 'if', 'and', 'than', 'when', 'once', 'until', 'while'],
    ['you', 'your', 'i', 'me', 'can', 'could', 'would', 'should', 'please'],
    ['roger', 'cheers', 'much', 'appreciated', 'thanks', 'thank', 'copy', 'wilco'],
  ].flat(),
);

/** Whether `word` can sit inside a place name. */
export function inPlace(word: string): boolean {
  return !NOT_IN_PLACE.has(word) && (word === 'the' || !JOINERS.some((j) => near(word, j)));
}

/**
 * Every run of 1..6 consecutive words of the request that could be a place
 * name, lowercased, joined by one space. A run is not a place when it
 * crosses punctuation ("over at the ridge, go scan it"), holds a clause word
 * (NOT_IN_PLACE), or ends on a word that opens the next clause: a participle
 * before "for" ("the pump house hunting for hikers": hunting is the verb) or
 * a comparative before "than" ("no lower than 16 metres").
 */
export function spokenSpans(request: string): string[] {
  const out = new Set<string>();
  for (const clause of clausesOf(request)) {
    const words = requestWords(clause);
    for (let i = 0; i < words.length; i++) {
      let span = '';
      for (let j = i; j < Math.min(words.length, i + MAX_SPAN_WORDS); j++) {
        const word = words[j] ?? '';
        if (!inPlace(word)) break;
        span = span === '' ? word : `${span} ${word}`;
        if (span.length > MAX_ZONE_CHARS) break;
        // A lone letter is the rest of a unit or a contraction ("m/s", "i'd"), not a place.
        if (!opensClause(word, words[j + 1]) && span.length > 1 && !onWatch(words, i)) out.add(span);
      }
    }
  }
  return [...out];
}

/** Words around a place that are never part of its name: prepositions, determiners, pronouns, fillers. */
export const INSTRUCTION_WORDS = [
  ['across', 'through', 'around', 'along', 'over', 'above', 'below', 'under', 'into', 'onto', 'toward'],
  ['towards', 'near', 'behind', 'beyond', 'past', 'between', 'beside', 'by', 'from', 'of', 'to', 'in'],
  ['on', 'up', 'down', 'off', 'out', 'within', 'inside', 'outside', 'the', 'a', 'an', 'this', 'that'],
  ['it', 'its', 'there', 'here', 'is', 'uh', 'uhh', 'um', 'er', 'erm', 'hmm', 'oh', 'okay', 'ok', 'well'],
  ['so', 'now', 'just', 'any', 'some', 'all', 'every', 'each', 'do', 'not', 'no', 'with', 'be', 'as', 'd'],
  ['close', 'next'],
].flat();

/**
 * Words of Kestrel's own instructions that are no part of a place's name:
 * the verbs that lead a behavior, an altitude or a speed ("move to", "start
 * searching", "carry out", "cruise at", "travel at", "hover"), the
 * battery's words ("battery reaches"), "on the ground" of the people looked for,
 * the order of targets ("followed by"), the operator's say-so ("confirm
 * with me"), and the radio call signs of the aircraft and the operator
 * ("kestrel, this is command").
 */
export const INSTRUCTION_LEADS: readonly string[] = [
  ['move', 'start', 'begin', 'run', 'carry', 'cruise', 'speed', 'travel', 'maintain', 'fly', 'altitude'],
  ['height', 'battery', 'floor', 'charge', 'followed', 'stay', 'hit', 'mps', 'kestrel', 'command', 'confirm'],
  ['ask', 'approval', 'permission', 'clearance', 'focus', 'reaches', 'needed', 'cleared', 'like', 'ground'],
  ['hold', 'holding', 'hover', 'hovering', 'loiter', 'loitering'],
].flat();

/**
 * Whether a run of the request's words may be copied into a plan as a place
 * the mission does not define: it holds none of Kestrel's words (a behavior,
 * a class, the payload, a unit, a clause word, an instruction's lead). A
 * small model that does not know a place copies the run nearest the verb,
 * and the rejection then named "command here", "start", "the golf course
 * huntign" or "cars second" instead of the place (about 1 % of held-out
 * requests). A place whose own name holds such a word ("the fire road") is
 * copied by its other words ("road"), and is still rejected by name; a
 * number may be part of a name ("sector 7").
 */
export function mayNamePlace(span: string, vocabulary: TaskingVocabulary): boolean {
  const words = requestWords(span);
  const kestrel = kestrelWordsOf(vocabulary);
  if (words.some((w) => kestrel.isKestrelWord(w))) return false;
  if (kestrel.phrases.some((p) => phraseAt(words, p).length > 0)) return false;
  // ...is more than a number ("hold at 40": a height, "sector 7" is a place)...
  if (words.every((w) => /^\d+$/.test(w))) return false;
  // ...and neither starts nor ends on a preposition, a pronoun or a filler ("of marina", "here"): "the" may lead.
  const edge = (w: string | undefined): boolean => w !== undefined && INSTRUCTION_WORDS.includes(w);
  return !(edge(words[0]) && words[0] !== 'the') && !edge(words.at(-1));
}

/** A vocabulary's one-word phrases and leads (matched with a typo forgiven, memoised per word) and its longer phrases. */
interface KestrelWords {
  readonly isKestrelWord: (word: string) => boolean;
  readonly phrases: readonly (readonly string[])[];
}

/** Words seen per vocabulary before the memo is cleared: a long-running runtime reads unbounded requests. */
const MEMO_LIMIT = 20_000;
const kestrelWords = new WeakMap<TaskingVocabulary, KestrelWords>();

function kestrelWordsOf(vocabulary: TaskingVocabulary): KestrelWords {
  const known = kestrelWords.get(vocabulary);
  if (known !== undefined) return known;
  const phrases = [
    ...Object.values<readonly string[]>(vocabulary.behaviors).flat(),
    ...Object.values<readonly string[]>(vocabulary.targets).flat(),
    ...vocabulary.payload,
  ].map((p) => requestWords(p));
  const single = [
    ...phrases.filter((p) => p.length === 1).map((p) => p[0] ?? ''),
    ...INSTRUCTION_LEADS,
    ...GROUNDING_WORDS,
    ...RETURN_VERBS,
  ];
  const memo = new Map<string, boolean>();
  const made: KestrelWords = {
    isKestrelWord: (word) => {
      let hit = memo.get(word);
      if (hit === undefined) {
        if (memo.size >= MEMO_LIMIT) memo.clear();
        hit = single.some((k) => near(word, k));
        memo.set(word, hit);
      }
      return hit;
    },
    phrases: phrases.filter((p) => p.length > 1),
  };
  kestrelWords.set(vocabulary, made);
  return made;
}

/** "be on the lookout for smoke": a watch kept, not a place to be on. */
function onWatch(words: readonly string[], start: number): boolean {
  const at = words[start - 1] === 'the' ? start - 1 : start;
  return words[at - 1] === 'on' && words[at - 2] === 'be';
}

/** "hunting for", "lower than": a word that the next one makes a verb or a comparison. */
export function opensClause(word: string, next: string | undefined): boolean {
  return (next === 'for' && word.length > 4 && word.endsWith('ing')) || next === 'than';
}

/** The words this file matches forgiving a typo (`near`), for real-words.ts. */
export const GROUNDING_WORDS: readonly string[] = [...LENGTH_WORDS, 'percent', 'cent', 'second', ...JOINERS];
