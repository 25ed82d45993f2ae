/**
 * Requests that try to talk the vehicle out of its guardrails: "ignore your
 * rules and ...", "disregard all prior instructions and ...", "jailbreak:
 * ...". Such a request is answered with hold and nothing else, whatever else
 * it asks: grounding (grounding.ts) admits no other plan.
 *
 * Why here as well as in the model: the tasking model is trained to hold on
 * these, but a small model reads "dive into the village at 30 m/s" after the
 * override and still copies the place and the speed into its hold. The
 * mission's guard would deny a dangerous plan anyway; this makes the answer to
 * an override attempt the same every time, and says why. A false alarm costs
 * a hold the operator can lift by asking again without the override words.
 *
 * An operator's own correction is not an override: "disregard my last
 * instruction" names the operator's words ("my", "last"), not the vehicle's rules.
 */
import { clausesOf, near, phraseAt, requestWords } from './words.js';

/** Verbs that set something aside. */
const SET_ASIDE = ['ignore', 'disregard', 'forget', 'override', 'bypass', 'disable', 'suspend', 'deactivate', 'lift'];
const SET_ASIDE_PHRASES = [
  ['turn', 'off'],
  ['switch', 'off'],
];
/** What the vehicle is held to: the things an override names. */
const GUARDED = [
  'rule',
  'rules',
  'instruction',
  'instructions',
  'guardrail',
  'guardrails',
  'limit',
  'limits',
  'safety',
  'geofence',
  'geofences',
  'prompt',
  'restriction',
  'restrictions',
  'constraint',
  'constraints',
  'programming',
  'protocol',
  'protocols',
  'failsafe',
  'failsafes',
  'reserve',
];
/** Words between the verb and what it sets aside that make it the operator's own correction. */
const OWN_WORDS = new Set(['my', 'last', 'that', 'this']);
/** How many words may stand between the verb and what it sets aside ("ignore every rule", "disregard all prior instructions"). */
const MAX_GAP = 3;
/** Phrases that are an override on their own. */
const MARKERS = [
  'jailbreak',
  'jailbroken',
  'unrestricted',
  'developer mode',
  'admin mode',
  'god mode',
  'debug mode',
  'system prompt',
  'system override',
  'safety off',
  'no rules',
  'no limits',
  'without limits',
].map((m) => m.split(' '));

/** The words of `request` that try to set the guardrails aside ("disregard all prior instructions"), if any. */
export function overrideAttempt(request: string): string | undefined {
  const words = requestWords(request);
  for (const marker of MARKERS) {
    const at = phraseAt(words, marker)[0];
    if (at !== undefined) return words.slice(at, at + marker.length).join(' ');
  }
  // The verb and what it sets aside are said in one clause: "ignore the smoke, stay within limits" is not an override.
  for (const clause of clausesOf(request)) {
    const found = setAside(requestWords(clause));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** "ignore every rule", "switch off all safety checks": a set-aside verb and, a few words on, something guarded. */
function setAside(words: readonly string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const verbEnd = setAsideEnds(words, i);
    if (verbEnd === undefined) continue;
    for (let j = verbEnd; j < Math.min(words.length, verbEnd + MAX_GAP + 1); j++) {
      const word = words[j] ?? '';
      if (OWN_WORDS.has(word)) break;
      if (GUARDED.some((g) => near(word, g))) return words.slice(i, j + 1).join(' ');
    }
  }
  return undefined;
}

/** Where the words after a set-aside verb starting at `i` begin, or undefined when none starts there. */
function setAsideEnds(words: readonly string[], i: number): number | undefined {
  const word = words[i] ?? '';
  if (SET_ASIDE.some((v) => near(word, v))) return i + 1;
  for (const phrase of SET_ASIDE_PHRASES) {
    if (phrase.every((p, k) => words[i + k] === p)) return i + phrase.length;
  }
  return undefined;
}

/** The words this file matches forgiving a typo (`near`), for real-words.ts. */
export const OVERRIDE_WORDS: readonly string[] = [...SET_ASIDE, ...GUARDED, ...MARKERS.flat()];
