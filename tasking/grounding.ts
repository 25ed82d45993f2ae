import { PLAN_JSON_SCHEMA } from './plan.js';
import {
  DEFAULT_TASKING_VOCABULARY,
  holdsDropsBack,
  speaksOfPayload,
  spokenBehaviors,
  spokenTargets,
  type TaskingVocabulary,
} from './vocabulary.js';
import { clausesOf, near, requestWords } from './words.js';
import { overrideAttempt } from './override.js';
import { normaliseZoneName, type ZoneIndex } from './zones.js';

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
  const inside = zonesInsidePlaces(request, zones);
  const places = [...new Set([...named.map((z) => z.toLowerCase()), ...spokenSpans(request), ...inside.keys()])].filter(
    (p) => p.length <= MAX_ZONE_CHARS && ZONE_PATTERN.test(p) && (inside.has(p) || namesNoOtherZone(p, zones, named)),
  );
  const heldBack = speaksOfPayload(request, vocabulary) && holdsDropsBack(request, vocabulary);
  const properties: Record<string, object> = {};
  for (const [key, schema] of Object.entries(PLAN_JSON_SCHEMA.properties)) {
    if (Object.hasOwn(NUMERIC_KEYS, key)) {
      const numbers = said[NUMERIC_KEYS[key as keyof typeof NUMERIC_KEYS]];
      if (numbers.length > 0) properties[key] = { enum: numbers };
    } else if (key === 'zone') {
      if (places.length > 0) properties[key] = { type: 'string', enum: places };
    } else if (key === 'behavior') {
      properties[key] = { type: 'string', enum: spokenBehaviors(request, vocabulary) };
    } else if (key === 'targets') {
      const t = PLAN_JSON_SCHEMA.properties.targets;
      if (classes.length > 0)
        properties[key] = { ...t, items: { ...t.items, enum: classes }, maxItems: classes.length };
    } else if (key === 'payload') {
      if (!speaksOfPayload(request, vocabulary)) continue;
      // A drop held back ("ask before any water drop") is never automatic (vocabulary.ts).
      properties[key] = heldBack ? { ...schema, enum: ['confirm', 'off'] } : schema;
    } else {
      properties[key] = schema;
    }
  }
  // ...and the plan must say so: without a payload key the policy already flying (auto, maybe) would stay.
  const required = heldBack ? [...PLAN_JSON_SCHEMA.required, 'payload'] : PLAN_JSON_SCHEMA.required;
  return { ...PLAN_JSON_SCHEMA, properties, required };
}

/**
 * Words that make a zone's name into another place: "upper quarry" is not the
 * quarry, "north ridge" not the ridge. Directions, heights and ages, the
 * modifiers operators put before a place's noun.
 */
export const PLACE_MODIFIERS: ReadonlySet<string> = new Set(
  [
    ['north', 'south', 'east', 'west', 'northern', 'southern', 'eastern', 'western'],
    ['northeast', 'northwest', 'southeast', 'southwest', 'central', 'middle', 'inner', 'outer'],
    ['upper', 'lower', 'top', 'bottom', 'far', 'old', 'new', 'big', 'little'],
  ].flat(),
);

/**
 * The mission's zones the request names, by name or alias, not as part of a
 * longer place ("upper quarry"). Spelt as the mission spells them: forgiving
 * a typo would read "bridge" as the ridge, and a misspelt zone is better
 * rejected by name ("unknown zone "quary"") than guessed. A zone nobody
 * named is no zone the plan may fly: a small model's worst zone error is a
 * known zone in place of a place it did not know ("north ridge" read as the
 * north strip, "substation" as base), which the guard then judges against the
 * wrong area. Unnamed, the place can only be copied, and is rejected by name.
 */
export function namedZones(request: string, zones: ZoneIndex): string[] {
  const clauses = clausesOf(request).map(clauseWords);
  return zones.forms
    .filter(({ forms }) =>
      forms.some((form) => {
        const phrase = requestWords(form);
        return clauses.some((words) =>
          saidAt(words, phrase).some(
            (at) => !PLACE_MODIFIERS.has(words[at - 1] ?? '') && !tripHome(words, at, phrase.length),
          ),
        );
      }),
    )
    .map((z) => z.name);
}

/** A clause's words as `requestWords` reads them, with "%" kept as a word of its own. */
function clauseWords(clause: string): string[] {
  return clause.toLowerCase().match(/[a-z0-9]+|%/g) ?? [];
}

/** Verbs of the trip home: "come home", "head home", "return to base", "rtb", "fly back to base". */
const RETURN_VERBS = ['return', 'returning', 'come', 'coming', 'head', 'heading', 'back', 'go', 'going', 'rtb'];
/** Words that end one instruction and start the next inside a clause. */
const NEXT_INSTRUCTION = new Set(['and', 'then', 'also', 'after']);

/**
 * Whether the words at `at` are the end of a return-home threshold: a return
 * verb just before them and a percentage after, in the same instruction
 * ("come home when you hit 39 percent", "return to base once battery reaches
 * 24 percent", "head home at 45% charge"). Those say when to fly home, not
 * where to fly: a mission whose base is also called "home" must not read them
 * as the operator naming base, or a search of a place the model did not know
 * becomes a search of base.
 */
function tripHome(words: readonly string[], at: number, length: number): boolean {
  const before = words.slice(Math.max(0, at - 3), at);
  if (!before.some((w) => RETURN_VERBS.some((v) => near(w, v)))) return false;
  for (let j = at + length; j < words.length; j++) {
    const word = words[j] ?? '';
    if (NEXT_INSTRUCTION.has(word) || JOINERS.some((v) => word !== 'the' && near(word, v))) return false;
    if (/^\d+$/.test(word) && percentWord(words[j + 1] ?? '', words[j + 2] ?? '')) return true;
  }
  return false;
}

/** "%", "percent" (one typo), "pct" or "per cent": the unit after a number that makes it a percentage. */
function percentWord(first: string, second: string): boolean {
  return first === '%' || first === 'pct' || near(first, 'percent') || (first === 'per' && near(second, 'cent'));
}

/**
 * Zones said only inside a longer place ("upper quarry", "the north ridge"),
 * each with that place as said: the zone's form, normalised, to the place.
 * The model may answer the zone's own name where the operator said the
 * longer place; the plan then names the place (`placeForZone`), and is
 * rejected by that name ("unknown zone "upper quarry"") instead of flying the
 * quarry or naming whatever other words the model fell back on. A zone said
 * inside two different places maps to neither: which one was meant is not
 * for grounding to guess.
 */
export function zonesInsidePlaces(request: string, zones: ZoneIndex): Map<string, string> {
  const named = new Set(namedZones(request, zones));
  const out = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const { name, forms } of zones.forms) {
    if (named.has(name)) continue;
    for (const form of forms) {
      const phrase = requestWords(form);
      for (const words of clausesOf(request).map(requestWords)) {
        for (const at of saidAt(words, phrase)) {
          let start = at;
          while (PLACE_MODIFIERS.has(words[start - 1] ?? '')) start--;
          if (words[start - 1] === 'the') start--;
          if (start === at) continue;
          const place = words.slice(start, at + phrase.length).join(' ');
          if ((out.get(form) ?? place) !== place) ambiguous.add(form);
          out.set(form, place);
        }
      }
    }
  }
  for (const form of ambiguous) out.delete(form);
  return out;
}

/** The place a plan's zone stands for: the longer place when the zone was said only inside one (`zonesInsidePlaces`). */
export function placeForZone(request: string, zones: ZoneIndex, zone: string): string {
  return zonesInsidePlaces(request, zones).get(normaliseZoneName(zone)) ?? zone;
}

/** Where `phrase` is said in `words`, exactly: the index of each match's first word. */
function saidAt(words: readonly string[], phrase: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + phrase.length <= words.length; i++) {
    if (phrase.length > 0 && phrase.every((p, k) => words[i + k] === p)) out.push(i);
  }
  return out;
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
    ['roger', 'cheers', 'appreciated'],
  ].flat(),
);
/** Clause joiners operators type fast enough to misspell ("tehn", "thhen", "alos"); "the" is one letter from "then". */
const JOINERS = ['then', 'also'];

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
        if (!opensClause(word, words[j + 1]) && span.length > 1) out.add(span);
      }
    }
  }
  return [...out];
}

/** "hunting for", "lower than": a word that the next one makes a verb or a comparison. */
export function opensClause(word: string, next: string | undefined): boolean {
  return (next === 'for' && word.length > 4 && word.endsWith('ing')) || next === 'than';
}

/** The words this file matches forgiving a typo (`near`), for real-words.ts. */
export const GROUNDING_WORDS: readonly string[] = [
  ...LENGTH_WORDS,
  'percent',
  'cent',
  'second',
  ...JOINERS,
  ...RETURN_VERBS,
];
