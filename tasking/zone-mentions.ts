/**
 * Where a request mentions the mission's zones, and what it means by them: a
 * zone named (`namedZones`), a zone's name inside a longer place ("upper
 * quarry": `zonesInsidePlaces`), or "home" said as when to fly home, not
 * where ("come home at 30%": no mention).
 */
import { clausesOf, endsInstruction, near, percentWord, requestWords, saidAt } from './words.js';
import { normaliseZoneName, type ZoneIndex } from './zones.js';

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
export const RETURN_VERBS: readonly string[] = [
  'return',
  'returning',
  'come',
  'coming',
  'head',
  'heading',
  'back',
  'go',
  'going',
  'rtb',
];

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
    if (endsInstruction(word)) return false;
    if (/^\d+$/.test(word) && percentWord(words[j + 1] ?? '', words[j + 2] ?? '')) return true;
  }
  return false;
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
export function zonesInsidePlaces(
  request: string,
  zones: ZoneIndex,
  named: readonly string[] = namedZones(request, zones),
): Map<string, string> {
  const clauses = clausesOf(request).map(requestWords);
  const out = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const { name, forms } of zones.forms) {
    if (named.includes(name)) continue;
    for (const form of forms) {
      const phrase = requestWords(form);
      for (const words of clauses) {
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
export function placeForZone(
  request: string,
  zones: ZoneIndex,
  zone: string,
  named: readonly string[] = namedZones(request, zones),
): string {
  return zonesInsidePlaces(request, zones, named).get(normaliseZoneName(zone)) ?? zone;
}
