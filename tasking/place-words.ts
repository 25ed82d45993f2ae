/**
 * The whole place a plan's zone stands for, in the operator's words.
 *
 * A small model copies a place it does not know by its most familiar words
 * and drops the rest: "old mill" for "lopine old mill", "radio mast" for
 * "woodtel radio mast", "hardor picnic" for "hardor picnic area". The plan
 * is then rejected as an unknown zone under a name the operator never said.
 * Grounding knows which words of a request are instructions (Kestrel's
 * behavior, class and payload words, clause words, prepositions, fillers)
 * and which are not; a copied place runs on over the words that are not,
 * so the rejection names the place that was said.
 *
 * Only copied places are completed: a zone the mission defines is never
 * touched, and a completion that would read as a mission zone the request
 * did not name is not made.
 */
import {
  INSTRUCTION_WORDS,
  MAX_SPAN_WORDS,
  MAX_ZONE_CHARS,
  ZONE_PATTERN,
  inPlace,
  mayNamePlace,
  opensClause,
} from './grounding.js';
import { PLACE_MODIFIERS, namedZones, placeForZone } from './zone-mentions.js';
import { typoForgivenWords } from './typo-words.js';
import { DEFAULT_TASKING_VOCABULARY, type TaskingVocabulary } from './vocabulary.js';
import { clausesOf, near, requestWords, saidAt } from './words.js';
import type { ZoneIndex } from './zones.js';

/** Kestrel's instruction words for a vocabulary, built once per vocabulary. */
const known = new WeakMap<TaskingVocabulary, readonly string[]>();
function instructionWords(vocabulary: TaskingVocabulary): readonly string[] {
  let words = known.get(vocabulary);
  if (words === undefined) {
    words = [...new Set([...typoForgivenWords(vocabulary), ...INSTRUCTION_WORDS])];
    known.set(vocabulary, words);
  }
  return words;
}

/**
 * The place `zone` stands for in `request`: the longer place around a zone's
 * name (`placeForZone`), or a copied place run on over the words around it
 * that are no instruction words, within its clause ("old mill" in "scan
 * across lopine old mill, ..." is "lopine old mill"; "the" before it comes
 * along). A mission zone, or a place not found in the request, comes back as it is.
 */
export function placeOf(
  request: string,
  zones: ZoneIndex,
  zone: string,
  vocabulary: TaskingVocabulary = DEFAULT_TASKING_VOCABULARY,
): string {
  const named = namedZones(request, zones);
  const around = placeForZone(request, zones, zone, named);
  if (around !== zone || zones.resolve(zone).ok) return around;
  const instruction = instructionWords(vocabulary);
  const nameWord = (w: string | undefined): w is string =>
    w !== undefined &&
    (PLACE_MODIFIERS.has(w) || (inPlace(w) && w.length > 1 && !/\d/.test(w) && !instruction.some((k) => near(w, k))));
  const phrase = requestWords(zone);
  for (const clause of clausesOf(request)) {
    const words = requestWords(clause);
    const at = saidAt(words, phrase)[0];
    if (at === undefined) continue;
    let start = at;
    let end = at + phrase.length;
    while (nameWord(words[start - 1])) start--;
    if (words[start - 1] === 'the' && phrase[0] !== 'the') start--;
    while (nameWord(words[end]) && !opensClause(words[end] ?? '', words[end + 1])) end++;
    if (start === at && end === at + phrase.length) return zone;
    // The added words around the model's own spelling of what it copied.
    const place = [...words.slice(start, at), zone, ...words.slice(at + phrase.length, end)].join(' ');
    if (end - start > MAX_SPAN_WORDS || place.length > MAX_ZONE_CHARS || !ZONE_PATTERN.test(place)) return zone;
    // Completed, it must still be a place ("here" is not completed to "command here")...
    if (!mayNamePlace(place, vocabulary)) return zone;
    // ...and must not become a zone nobody named ("line" in "upper ridge line" is no ridge).
    const lookup = zones.resolve(place);
    if (lookup.ok && !named.includes(lookup.zone.name)) return zone;
    return place;
  }
  return zone;
}
