/**
 * The words that let a plan say a behavior other than hold, `targets` and
 * `payload` at all. Grounding (grounding.ts) admits a behavior only when the
 * request names it (hold, the fail-safe, is always admitted), a target class
 * only when the request names it, and a payload policy only when the request
 * speaks of the payload. A small model's commonest inventions after numbers
 * are of these kinds: a class or a water-drop policy nobody asked for ("sweep
 * the ridge for smoke" read back with person added, "rtb when battery drops
 * to 20%" read back with payload off), or a behavior nobody named ("what time
 * is it" read back as land). None is caught downstream, since each is a valid
 * plan, and an unrequested landing or payload policy is the change an
 * operator least expects to have to catch at confirmation.
 *
 * Kestrel's English words are built in; a mission adds its crews' own
 * (`tasking.vocabulary`).
 */
import type { RetaskBehavior } from '../runtime/index.js';
import { PLAN_TARGET_CLASSES } from './plan.js';
import { clausesOf, instructionsOf, near, phraseAt, requestWords } from './words.js';

export type TargetClass = (typeof PLAN_TARGET_CLASSES)[number];
/** Behaviors a request must name; hold is always sayable. */
export type NamedBehavior = Exclude<RetaskBehavior, 'hold'>;
export const NAMED_BEHAVIORS: readonly NamedBehavior[] = ['area_search', 'patrol', 'inspection', 'return_home', 'land'];

export interface TaskingVocabulary {
  /** Words and phrases that name each behavior but hold, in their inflected forms. */
  readonly behaviors: Readonly<Record<NamedBehavior, readonly string[]>>;
  /** Words and phrases that name each class, singular and plural. */
  readonly targets: Readonly<Record<TargetClass, readonly string[]>>;
  /** Words that speak of the payload (the water, dropping it, releasing it). */
  readonly payload: readonly string[];
}

/** What a mission adds (`tasking.vocabulary`): extra words, never fewer. */
export interface VocabularyExtension {
  readonly behaviors?: Partial<Record<NamedBehavior, readonly string[]>> | undefined;
  readonly targets?: Partial<Record<TargetClass, readonly string[]>> | undefined;
  readonly payload?: readonly string[] | undefined;
}

export const DEFAULT_TASKING_VOCABULARY: TaskingVocabulary = {
  behaviors: {
    area_search: [
      'search',
      'searches',
      'searching',
      'sweep',
      'sweeps',
      'sweeping',
      'scan',
      'scans',
      'scanning',
      'grid',
      'comb',
      'combing',
      'look over',
      'look around',
    ],
    patrol: ['patrol', 'patrols', 'patrolling', 'patrolled', 'circle', 'circling', 'orbit', 'orbiting'],
    inspection: [
      'inspect',
      'inspects',
      'inspecting',
      'inspection',
      'close look',
      'check out',
      'eyes on',
      'examine',
      'examining',
      'survey',
      'surveying',
      'investigate',
      'investigating',
    ],
    return_home: [
      'return',
      'returns',
      'returning',
      'rtb',
      'rth',
      'home',
      'base',
      'come back',
      'head back',
      'fly back',
      'go back',
      'launch',
      'recall',
    ],
    land: ['land', 'lands', 'landing', 'touch down', 'put it down', 'set down', 'set it down'],
  },
  targets: {
    fire: [
      'fire',
      'fires',
      'flame',
      'flames',
      'blaze',
      'blazes',
      'hotspot',
      'hotspots',
      'hot spot',
      'hot spots',
      'burning',
      'embers',
    ],
    smoke: ['smoke', 'smoky', 'plume', 'plumes'],
    person: [
      'person',
      'persons',
      'people',
      'human',
      'humans',
      'hiker',
      'hikers',
      'survivor',
      'survivors',
      'civilian',
      'civilians',
      'casualty',
      'casualties',
      'victim',
      'victims',
      'anyone',
      'someone',
      'firefighters',
    ],
    vehicle: ['vehicle', 'vehicles', 'car', 'cars', 'truck', 'trucks', 'suv', 'suvs'],
  },
  payload: [
    'payload',
    'water',
    'drop',
    'drops',
    'dropping',
    'dropped',
    'release',
    'releasing',
    'retardant',
    'bucket',
    'spray',
    'spraying',
    'douse',
  ],
};

/** Kestrel's words plus a mission's. */
export function extendVocabulary(
  base: TaskingVocabulary,
  extension: VocabularyExtension | undefined,
): TaskingVocabulary {
  if (extension === undefined) return base;
  return {
    behaviors: extendEach(base.behaviors, NAMED_BEHAVIORS, extension.behaviors),
    targets: extendEach(base.targets, PLAN_TARGET_CLASSES, extension.targets),
    payload: [...base.payload, ...lowercased(extension.payload)],
  };
}

const lowercased = (words: readonly string[] | undefined): string[] => (words ?? []).map((w) => w.toLowerCase());

/** Each key's words, then the extension's for that key. */
function extendEach<K extends string>(
  base: Readonly<Record<K, readonly string[]>>,
  keys: readonly K[],
  extra: Partial<Record<K, readonly string[]>> | undefined,
): Record<K, readonly string[]> {
  const out: Record<K, readonly string[]> = { ...base };
  for (const k of keys) out[k] = [...base[k], ...lowercased(extra?.[k])];
  return out;
}

/** Behaviors the request names, and hold, which is always sayable: the fail-safe answer to chatter. */
export function spokenBehaviors(request: string, vocabulary: TaskingVocabulary): RetaskBehavior[] {
  const words = requestWords(request);
  const named = NAMED_BEHAVIORS.filter((b) =>
    vocabulary.behaviors[b].some((phrase) => phraseAt(words, requestWords(phrase)).length > 0),
  );
  return [...named, 'hold'];
}

/** Classes the request names, in the order of their first mention. */
export function spokenTargets(request: string, vocabulary: TaskingVocabulary): TargetClass[] {
  const words = requestWords(request);
  const first: { c: TargetClass; at: number }[] = [];
  for (const c of PLAN_TARGET_CLASSES) {
    const at = Math.min(...vocabulary.targets[c].flatMap((phrase) => phraseAt(words, requestWords(phrase))));
    if (Number.isFinite(at)) first.push({ c, at });
  }
  return first.sort((a, b) => a.at - b.at).map((f) => f.c);
}

/** Forms of "drop" that also say a level falls: "battery drops to 20%", "drop below 30 metres". */
const DROP_FORMS = new Set(['drop', 'drops', 'dropping', 'dropped']);
const LEVEL_AFTER = new Set(['to', 'below', 'under', 'beneath', 'past', 'down']);

/** Whether the request speaks of the payload at all. */
export function speaksOfPayload(request: string, vocabulary: TaskingVocabulary): boolean {
  return payloadIn(requestWords(request), vocabulary);
}

/**
 * Words that hold a drop back: a negation ("no", "not", "don't", "never",
 * "without"), a drop switched "off" or "cold", or the operator's say-so asked
 * for ("ask", "confirm", "approval", "permission", "my ok", "my go").
 */
const HOLDS_BACK = ['no', 'not', 'don', 'dont', 'never', 'without', 'off', 'cold'];
const ASKS = [
  'ask',
  'asks',
  'asking',
  'asked',
  'confirm',
  'confirms',
  'confirmation',
  'approval',
  'approve',
  'permission',
];
const SAY_SO = new Set(['ok', 'okay', 'go', 'word']);

/**
 * Whether an instruction about the payload also holds the drop back ("ask
 * before any water drop", "do not release water", "no drops without my
 * ok"). Such a request may set the payload to confirm or off, never to auto:
 * automatic drops are the one policy a misread request must not reach, and
 * a model that reads a held-back drop as a free one (it did, on 6 of 9,000
 * held-out requests) is stopped here. The cost of a false alarm ("drop water,
 * no need to ask") is a confirm or off the operator can lift by asking again.
 * Read per instruction: "no lower than 40 m and drop water freely" is free.
 */
export function holdsDropsBack(request: string, vocabulary: TaskingVocabulary): boolean {
  return clausesOf(request).some((clause) =>
    instructionsOf(clause).some((words) => payloadIn(words, vocabulary) && holdsBack(words)),
  );
}

function holdsBack(words: readonly string[]): boolean {
  const asks = (i: number): boolean => {
    const w = words[i] ?? '';
    return ASKS.some((a) => near(w, a)) || ((words[i - 1] === 'my' || words[i - 1] === 'your') && SAY_SO.has(w));
  };
  // "without asking", "without my ok", "no need to ask": the say-so waived, a free drop.
  const waived = new Set<number>();
  words.forEach((w, i) => {
    const from = w === 'without' ? i + 1 : w === 'no' && words[i + 1] === 'need' ? i + 2 : -1;
    if (from < 0) return;
    for (let j = from; j <= from + 2; j++) {
      if (!asks(j)) continue;
      waived.add(i).add(j);
      break;
    }
  });
  return words.some((w, i) => !waived.has(i) && (HOLDS_BACK.includes(w) || asks(i)));
}

function payloadIn(words: readonly string[], vocabulary: TaskingVocabulary): boolean {
  for (const phrase of vocabulary.payload) {
    const p = requestWords(phrase);
    for (const at of phraseAt(words, p)) {
      const levelFalls = p.length === 1 && DROP_FORMS.has(p[0] ?? '') && LEVEL_AFTER.has(words[at + 1] ?? '');
      if (!levelFalls) return true;
    }
  }
  return false;
}
