/**
 * What the operator's words allow the payload policy to be.
 *
 * The payload is the one part of a plan that acts on the world below the
 * aircraft, and its three policies are not equally safe to misread: reading
 * "ask before any water drop" as automatic drops is the dangerous error,
 * reading "drop water as needed" as payload off is a lost drop. A small
 * model makes both: on phrasings it never trained on it read held-back drops
 * as free ones (6 of 9,000 held-out requests, and 6 of 120 phrasings written
 * by someone else, "drops are cancelled" and "ask first, then drop" among
 * them) and free drops as switched off (about 80 of 3,000 held-out requests).
 *
 * The words that decide it are few and ordinary English, so grounding reads
 * them, instruction by instruction (`instructionsOf`), in the instructions
 * that speak of the payload:
 * - words that withhold the drop: a negation ("no", "not", "don't", "never",
 *   "zero", "negative"), a stop ("cease", "cancel", "suspend", "abort"), a
 *   keep ("hold", "keep", "save", "conserve", "stays", "locked"), a switch
 *   ("off", "cold", "safe", "disabled", "disarm");
 * - words that ask for the operator's say-so: "ask", "confirm", "approval",
 *   "permission", "clearance", "authorization", "my ok", "my go", "by me",
 *   "with me", or a drop made to wait ("before", "until", "wait").
 *
 * Then: a request with either admits no automatic drop and must set the
 * policy (the one already flying may be automatic); payload off needs a
 * withholding word ("ask before any water drop" is confirm, never off); a
 * request with neither admits automatic or confirm. A waived say-so ("drop
 * without asking", "no need to ask", "no approval needed", "skip the
 * confirmation", "don't wait on me") is neither.
 *
 * What it costs: an off said with none of these words ("the tank is for the
 * east fire") cannot be read as off; the model then chooses between
 * automatic and confirm, and the plan it proposes says so before the
 * operator confirms it. The withholding words are broad for that reason.
 */
import type { TaskingVocabulary } from './vocabulary.js';
import { clausesOf, instructionsOf, near, phraseAt, requestWords } from './words.js';

export type PayloadPolicy = 'auto' | 'confirm' | 'off';

/** The policies a request admits, and whether its plan must set one. */
export interface PayloadAdmission {
  readonly policies: readonly PayloadPolicy[];
  readonly required: boolean;
}

/**
 * Withholding words, as stems (`stem`): "cancelled" and "canceled" are
 * "cancel", "saving" is "sav", "stays" is "stay".
 */
const WITHHOLD_STEMS = new Set(
  [
    ['no', 'not', 'don', 'dont', 'never', 'none', 'nothing', 'without', 'zero', 'negative', 'nix', 'nope'],
    ['off', 'cold', 'safe', 'disabl', 'disarm', 'deactivat', 'lock', 'inhibit', 'block', 'bar', 'forbid'],
    ['hold', 'keep', 'kept', 'sav', 'conserv', 'retain', 'stay', 'shut', 'hang', 'alone', 'withhold', 'withheld'],
    ['cease', 'ceas', 'cancel', 'revok', 'suspend', 'stop', 'halt', 'abort', 'scrub', 'belay', 'quit', 'pause'],
    ['terminat', 'discontinu'],
    ['secur', 'dry', 'prohibit', 'ban', 'veto', 'deny', 'deni'],
  ].flat(),
);

/** Say-so words, as stems; "approved" and "authorized" grant a drop, so only the nouns and the bare verbs count. */
const ASK_STEMS = new Set(
  [
    ['ask', 'confirm', 'confirmation', 'approval', 'approve', 'permission', 'clearance', 'authorization'],
    ['authorisation', 'sign', 'signoff', 'request', 'wait', 'await', 'standby', 'before', 'until', 'till'],
    ['check', 'consult', 'operator'],
  ].flat(),
);

/** The say-so words matched forgiving a typo (`near`), for real-words.ts. */
export const SAY_SO_WORDS: readonly string[] = [...ASK_STEMS].filter((a) => a.length >= 4);

/** Nouns that, after "my", are the operator's say-so ("drops on my go"); "your call" leaves the drop to the aircraft. */
const SAY_SO = new Set(['ok', 'okay', 'go', 'word', 'say', 'call', 'command', 'order', 'signal', 'mark', 'nod']);
/** "by me", "through me", "with me", "from me": the drop goes through the operator. */
const THROUGH_ME = new Set(['by', 'through', 'with', 'past', 'from']);
/** "when i say so", "until i approve": the drop waits on the operator. */
const WAITS_ON = new Set(['when', 'until', 'till', 'unless', 'once']);
/** "blanket clearance", "standing permission", "permission granted": a say-so already given. */
const GIVEN = new Set(['blanket', 'standing', 'granted', 'given', 'full']);
/** "fine by me", "ok with me": a drop the operator is content with, not one routed through them. */
const CONTENT = new Set(['fine', 'ok', 'okay', 'good', 'alright', 'cool']);
/** "no approval needed", "no confirmation required". */
const NEEDED = new Set(['needed', 'required', 'necessary']);

/**
 * A word's stem for the cue lists: a plural or past or -ing ending off, and
 * a doubled last letter undone ("cancelled" to "cancel", "stopped" to
 * "stop"). Crude on purpose: it only has to bring a word onto one of the
 * stems above, never to find an English root.
 */
export function stem(word: string): string {
  const w = word.replace(/'s$/, '');
  for (const ending of ['ing', 'ed', 'es', 's', 'e', 'd']) {
    if (w.length - ending.length < 3 || !w.endsWith(ending)) continue;
    const s = w.slice(0, -ending.length);
    return s.length > 3 && s.at(-1) === s.at(-2) ? s.slice(0, -1) : s;
  }
  return w;
}

function inStems(word: string, stems: ReadonlySet<string>): boolean {
  return stems.has(word) || stems.has(stem(word));
}

/** Forms of "drop" that also say a level falls: "battery drops to 20%", "drop below 30 metres". */
const DROP_FORMS = new Set(['drop', 'drops', 'dropping', 'dropped']);
const LEVEL_AFTER = new Set(['to', 'below', 'under', 'beneath', 'past', 'down']);

/**
 * Verbs of a drop. A request that tells the aircraft to drop, release or
 * douse sets the payload policy; one that only names the water ("people in
 * the water", "the water tower") may leave it as it is.
 */
const DROP_VERBS: readonly string[] = [
  ...DROP_FORMS,
  ...['release', 'releases', 'released', 'releasing', 'dump', 'dumps', 'dumping'],
  ...['discharge', 'discharging', 'douse', 'dousing', 'spray', 'spraying'],
];

/** Whether the request speaks of the payload at all: a payload word not saying that a level falls. */
export function payloadIn(words: readonly string[], vocabulary: TaskingVocabulary): boolean {
  for (const phrase of vocabulary.payload) {
    const p = requestWords(phrase);
    for (const at of phraseAt(words, p)) {
      const levelFalls = p.length === 1 && DROP_FORMS.has(p[0] ?? '') && LEVEL_AFTER.has(words[at + 1] ?? '');
      if (!levelFalls) return true;
    }
  }
  return false;
}

/** The withholding and say-so words of one instruction, with the waived ones left out. */
export function payloadCues(words: readonly string[]): { withholds: boolean; asks: boolean } {
  const asks = (i: number): boolean => {
    const w = words[i] ?? '';
    // A typo of a say-so word, but not an inflection of one: "approved" grants a drop where "approve" asks for one.
    if (w.length >= 4 && SAY_SO_WORDS.some((a) => !w.startsWith(a) && near(w, a))) return true;
    if (inStems(w, ASK_STEMS)) return true;
    const before = words[i - 1] ?? '';
    if ((before === 'my' && SAY_SO.has(w)) || (before === 'the' && w === 'word')) return true; // "give the word"
    if (w === 'i' && WAITS_ON.has(before)) return true;
    if (w === 'loop' && before === 'the' && words[i - 2] === 'in') return true; // "human in the loop"
    return w === 'me' && THROUGH_ME.has(before) && !CONTENT.has(words[i - 2] ?? '');
  };
  const waived = waivedAt(words, asks);
  let withholds = false;
  let asked = false;
  words.forEach((w, i) => {
    if (waived.has(i)) return;
    if (asks(i)) asked = true;
    else if (inStems(w, WITHHOLD_STEMS) || (w === 'stand' && words[i + 1] === 'down')) withholds ||= !goesOn(words, i);
  });
  return { withholds, asks: asked };
}

/** "keep dropping", "keep on releasing": a keep that goes on with the drop, not one that holds the water. */
function goesOn(words: readonly string[], i: number): boolean {
  if (stem(words[i] ?? '') !== 'keep' && words[i] !== 'kept') return false;
  const next = words[i + 1] === 'on' ? words[i + 2] : words[i + 1];
  return next !== undefined && next.endsWith('ing') && DROP_VERBS.some((v) => near(next, v));
}

/**
 * The words of a say-so given up: "without asking", "without my ok", "no
 * need to ask", "no approval needed", "skip the confirmation", "don't wait
 * on me". Each leaves the drop free.
 */
function waivedAt(words: readonly string[], asks: (i: number) => boolean): Set<number> {
  const waived = new Set<number>();
  const waive = (from: number, to: number): void => {
    for (let k = from; k <= to; k++) waived.add(k);
  };
  words.forEach((w, i) => {
    // "without asking", "no need to check in before drops", "skip the confirmation": the say-so words within four after.
    const from = w === 'without' || w === 'skip' ? i + 1 : w === 'no' && words[i + 1] === 'need' ? i + 2 : -1;
    if (from >= 0) {
      for (let j = from; j <= from + 3; j++) if (asks(j)) waive(i, j);
    }
    // "no approval needed", "no callback required": a "no" whose noun is then said not to be needed.
    if (w === 'no') {
      const needed = words.slice(i + 1, i + 4).findIndex((x) => NEEDED.has(x));
      if (needed >= 0) waive(i, i + 1 + needed);
    }
    // "blanket clearance", "permission granted": given already, asked of nobody.
    if (GIVEN.has(w)) for (let j = i - 1; j <= i + 2; j++) if (j !== i && asks(j)) waive(j, j);
    // "don't wait on me", "do not wait for me": the operator steps out of the loop.
    const notWait = (w === 'don' || w === 'dont' || w === 'not') && words.slice(i + 1, i + 3).includes('wait');
    if (notWait) waive(i, Math.min(words.length - 1, i + 5));
  });
  return waived;
}

/** The payload policies a request's words admit (see the file comment); undefined when it does not speak of the payload. */
export function admittedPayload(request: string, vocabulary: TaskingVocabulary): PayloadAdmission | undefined {
  let said = false;
  let withholds = false;
  let asks = false;
  let askedJustBefore = false;
  let dropSaid = false;
  for (const words of clausesOf(request).flatMap(instructionsOf)) {
    if (!payloadIn(words, vocabulary)) {
      askedJustBefore = asksAlone(words, vocabulary);
      continue;
    }
    said = true;
    dropSaid ||= words.some((w) => DROP_VERBS.some((v) => near(w, v)));
    const cues = payloadCues(words);
    withholds ||= cues.withholds;
    asks ||= cues.asks || askedJustBefore;
    askedJustBefore = false;
  }
  if (!said) return undefined;
  if (withholds) return { policies: ['confirm', 'off'], required: true };
  if (asks) return { policies: ['confirm'], required: true };
  return { policies: ['auto', 'confirm'], required: dropSaid };
}

/**
 * "ask first, then drop", "wait for my go, and release": a short say-so
 * with nothing else in it, said just before the instruction about the drop,
 * is about that drop.
 */
function asksAlone(words: readonly string[], vocabulary: TaskingVocabulary): boolean {
  if (words.length > 4 || words.some((w) => /\d/.test(w))) return false;
  const kestrelWords = [...Object.values(vocabulary.behaviors).flat(), ...Object.values(vocabulary.targets).flat()];
  if (kestrelWords.some((phrase) => phraseAt(words, requestWords(phrase)).length > 0)) return false;
  return payloadCues(words).asks;
}
