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
import { admittedPayload, payloadIn } from './payload-cues.js';
import { phraseAt, requestWords } from './words.js';

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
    'releases',
    'released',
    'releasing',
    'dump',
    'dumps',
    'dumping',
    'discharge',
    'discharges',
    'discharging',
    'retardant',
    'bucket',
    'spray',
    'spraying',
    'douse',
    'dousing',
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

/** Whether the request speaks of the payload at all. */
export function speaksOfPayload(request: string, vocabulary: TaskingVocabulary): boolean {
  return payloadIn(requestWords(request), vocabulary);
}

/**
 * Whether the request holds the drop back: an instruction about the payload
 * withholds it or asks for the operator's say-so ("ask before any water
 * drop", "do not release water", "no drops without my ok"). Such a request
 * may set the payload to confirm or off, never to auto (payload-cues.ts).
 */
export function holdsDropsBack(request: string, vocabulary: TaskingVocabulary): boolean {
  return admittedPayload(request, vocabulary)?.policies.includes('auto') === false;
}
