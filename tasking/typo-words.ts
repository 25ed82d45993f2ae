/**
 * Every word Kestrel's grounding matches forgiving a typo (words.ts `near`):
 * the built-in vocabulary, the unit, clause and return-home words, the
 * words that lead an instruction (no place holds them), the payload's
 * say-so words and the override words.
 * tools/tasking/real-words.ts lists the English words one typo from these,
 * which are then never read as their typos (real-words.ts).
 */
import { GROUNDING_WORDS, INSTRUCTION_LEADS } from './grounding.js';
import { OVERRIDE_WORDS } from './override.js';
import { SAY_SO_WORDS } from './payload-cues.js';
import { RETURN_VERBS } from './zone-mentions.js';
import { DEFAULT_TASKING_VOCABULARY, type TaskingVocabulary } from './vocabulary.js';
import { requestWords } from './words.js';

export function typoForgivenWords(vocabulary: TaskingVocabulary = DEFAULT_TASKING_VOCABULARY): string[] {
  const phrases = [
    ...Object.values<readonly string[]>(vocabulary.behaviors).flat(),
    ...Object.values<readonly string[]>(vocabulary.targets).flat(),
    ...vocabulary.payload,
    ...GROUNDING_WORDS,
    ...INSTRUCTION_LEADS,
    ...OVERRIDE_WORDS,
    ...RETURN_VERBS,
    ...SAY_SO_WORDS,
  ];
  return [...new Set(phrases.flatMap((p) => requestWords(p)))].sort();
}
