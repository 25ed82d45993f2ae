/**
 * Words of a request as grounding reads them: lowercased runs of letters and
 * digits, and a match that forgives one typo, as operators type on a radio
 * keyboard ("metrs", "persos", "smke").
 */
import { REAL_WORDS } from './real-words.js';

/** The request's words, lowercased, punctuation dropped. */
export function requestWords(request: string): string[] {
  return request.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/**
 * The request cut where one clause ends and the next begins: at punctuation,
 * and at "m/s", a unit that ends what it measures. A place, or an override
 * and what it sets aside, is said within one clause.
 */
export function clausesOf(request: string): string[] {
  return request.split(/[,.;:!?]|\bm\/s\b/i);
}

/**
 * Equal, or one typo apart (`oneTypoApart`) where the word is no English word
 * of its own: "and" is not "land" misspelt, "house" not "douse", "can" not
 * "scan" (real-words.ts). A real word typed for another ("sheep" for "sweep")
 * is then missed; that costs a word the operator can say again, where reading
 * every "and" as a landing would let the model land on any request.
 */
export function near(word: string, target: string): boolean {
  if (word === target) return true;
  return !REAL_WORDS.has(word) && oneTypoApart(word, target);
}

/**
 * One typo apart, for words of four letters or more: a letter dropped,
 * doubled or two swapped, or (five letters or more) one changed. A changed
 * letter in a four-letter word is most often another word ("keep" and
 * "jeep", "care" and "cars"), so it does not count there.
 */
export function oneTypoApart(word: string, target: string): boolean {
  if (word === target || target.length < 4 || Math.abs(word.length - target.length) > 1) return false;
  return editDistanceAtMostOne(word, target, target.length >= 5);
}

function editDistanceAtMostOne(a: string, b: string, changeCounts: boolean): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const restA = a.slice(i);
  const restB = b.slice(i);
  if (changeCounts && restA.length > 0 && restA.slice(1) === restB.slice(1)) return true; // one changed
  if (restA.slice(1) === restB || restA === restB.slice(1)) return true; // one dropped or doubled
  return restA.length >= 2 && restA[0] === restB[1] && restA[1] === restB[0] && restA.slice(2) === restB.slice(2); // swapped
}

/**
 * Where `phrase` (one or more words) is said in `words`, each word `near` its
 * counterpart: the index of each match's first word.
 */
export function phraseAt(words: readonly string[], phrase: readonly string[]): number[] {
  const out: number[] = [];
  if (phrase.length === 0) return out;
  for (let i = 0; i + phrase.length <= words.length; i++) {
    let all = true;
    for (let k = 0; k < phrase.length && all; k++) all = near(words[i + k] ?? '', phrase[k] ?? '');
    if (all) out.push(i);
  }
  return out;
}

/** Clause joiners operators type fast enough to misspell ("tehn", "thhen", "alos"); "the" is one letter from "then". */
export const JOINERS: readonly string[] = ['then', 'also'];

/** A word that ends one instruction and starts the next inside a clause: "and", "after", "then" or "also" (one typo). */
export function endsInstruction(word: string): boolean {
  return word === 'and' || word === 'after' || (word !== 'the' && JOINERS.some((j) => near(word, j)));
}

/** "%", "percent" (one typo), "pct" or "per cent": the unit after a number that makes it a percentage. */
export function percentWord(first: string, second: string): boolean {
  return first === '%' || first === 'pct' || near(first, 'percent') || (first === 'per' && near(second, 'cent'));
}

/** Where `phrase` is said in `words`, exactly: the index of each match's first word. */
export function saidAt(words: readonly string[], phrase: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + phrase.length <= words.length; i++) {
    if (phrase.length > 0 && phrase.every((p, k) => words[i + k] === p)) out.push(i);
  }
  return out;
}

/** A clause's words cut into instructions at `endsInstruction` words, which belong to neither side. */
export function instructionsOf(clause: string): string[][] {
  const out: string[][] = [[]];
  for (const word of requestWords(clause)) {
    if (endsInstruction(word)) out.push([]);
    else out.at(-1)?.push(word);
  }
  return out.filter((words) => words.length > 0);
}
