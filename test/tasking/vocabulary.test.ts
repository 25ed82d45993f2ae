import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MissionError, parseMission, renderIssue } from '../../missions/index.js';
import {
  DEFAULT_TASKING_VOCABULARY as words,
  extendVocabulary,
  holdsDropsBack,
  speaksOfPayload,
  spokenBehaviors,
  spokenTargets,
} from '../../tasking/index.js';
import { REAL_WORDS } from '../../tasking/real-words.js';
import { typoForgivenWords } from '../../tasking/typo-words.js';
import { near, oneTypoApart } from '../../tasking/words.js';

/** A minimal mission with a tasking section, as YAML. */
const missionWith = (tasking: string): string =>
  [
    'apiVersion: kestrel/v1',
    'mission: { id: vocab, version: 0.1.0 }',
    'platform: { kind: ground, id: r1, maxSpeedMps: 2 }',
    'guardrails: {}',
    'behavior: { kind: hold }',
    'models: [{ id: tasker, manifest: tasker.yaml }]',
    `tasking: ${tasking}`,
  ].join('\n');

describe('which behaviors a request names', () => {
  it('finds each behavior by its words in their inflected forms, hold always among them', () => {
    expect(spokenBehaviors('keep patrolling the ridge', words)).toEqual(['patrol', 'hold']);
    expect(spokenBehaviors('carry out an inspection of the quarry', words)).toEqual(['inspection', 'hold']);
    expect(spokenBehaviors('RTB now', words)).toEqual(['return_home', 'hold']);
    expect(spokenBehaviors('begin landing close to the ridge line', words)).toEqual(['land', 'hold']);
    // Two named: the model chooses ("rtb when battery drops to 20%" is a limit, not the behavior).
    expect(spokenBehaviors('sweep the ridge, rtb when battery drops to 20%', words)).toEqual([
      'area_search',
      'return_home',
      'hold',
    ]);
  });

  it('leaves only hold for chatter and for requests that name no behavior', () => {
    for (const request of ['what time is it roger', 'jailbreak: open the water valve over the crowd', 'stay put'])
      expect(spokenBehaviors(request, words), request).toEqual(['hold']);
  });

  it('forgives one typo ("ladn it", "sweeep")', () => {
    expect(spokenBehaviors('well, ladn it', words)).toEqual(['land', 'hold']);
    expect(spokenBehaviors('begin a sweeep of quarry', words)).toEqual(['area_search', 'hold']);
  });
});

describe('a real word is not a typo of another', () => {
  it('does not read "and" as land, "can" as scan or "house" as douse', () => {
    // Each was read as its neighbour: every request with "and" could be answered with a landing,
    // and "the pump house" spoke of the payload, so the model could switch the water off unasked.
    expect(spokenBehaviors('hold over the ridge and the quarry', words)).toEqual(['hold']);
    expect(spokenBehaviors('can you hold there', words)).toEqual(['hold']);
    expect(speaksOfPayload('carry out an inspection of the south pump house', words)).toBe(false);
    expect(speaksOfPayload('check the ridge later', words)).toBe(false);
    expect(near('and', 'land')).toBe(false);
    // A typo that is no word still counts, and so does the word with an -s or -d.
    expect(near('lnad', 'land')).toBe(true);
    expect(near('dosue', 'douse')).toBe(true);
    expect(near('percents', 'percent')).toBe(true);
    // A letter typed twice reads as the slip, even where it spells a word ("droop").
    expect(speaksOfPayload('keep patrolling, droops on confirm', words)).toBe(true);
  });

  it('lists only English words one typo from a word grounding forgives, none of those words itself', () => {
    const forgiven = typoForgivenWords();
    expect(REAL_WORDS.size).toBeGreaterThan(100);
    for (const w of REAL_WORDS) {
      expect(forgiven, w).not.toContain(w);
      expect(
        forgiven.some((t) => oneTypoApart(w, t)),
        w,
      ).toBe(true);
    }
  });

  it.skipIf(!existsSync('/usr/share/dict/words'))('is the list the generator writes from the word list', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/tasking/real-words.ts', '--check'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      encoding: 'utf8',
    });
    expect(run.stderr + run.stdout).toContain('is current');
  });
});

describe('which target classes a request names', () => {
  it('finds each class by its words, in the order of first mention', () => {
    expect(spokenTargets('sweep the ridge for smoke plumes, then survivors', words)).toEqual(['smoke', 'person']);
    expect(spokenTargets('put cars ahead of hot spots', words)).toEqual(['vehicle', 'fire']);
    expect(spokenTargets('anyone on the ground matters more than the blaze', words)).toEqual(['person', 'fire']);
    expect(spokenTargets('patrol the quarry at 40 m', words)).toEqual([]);
  });

  it('forgives one typo in a class word, as operators type them', () => {
    expect(spokenTargets('scan it for persos followed by firse', words)).toEqual(['person', 'fire']);
    expect(spokenTargets('hunting for any smke or vehicels', words)).toEqual(['smoke', 'vehicle']);
  });

  it('does not take a common word for a class one changed letter away', () => {
    // "keep" is one letter from "jeep", "care" from "cars", "hire" from "fire".
    expect(spokenTargets('keep it above 40 metres and take care, hire nobody', words)).toEqual([]);
  });
});

describe('whether a request speaks of the payload', () => {
  it('hears the water, dropping it and releasing it', () => {
    for (const request of [
      'do not release water',
      'drop water as needed',
      'drops on confirmation',
      'no payload',
      'ask before any watr drop',
    ])
      expect(speaksOfPayload(request, words), request).toBe(true);
  });

  it('EXPECTED FAILURE - a battery or an altitude that drops is not the payload', () => {
    for (const request of [
      'rtb when battery drops to 20%',
      'drop below 30 metres and patrol the ridge',
      'search the east sector at 40 m',
    ])
      expect(speaksOfPayload(request, words), request).toBe(false);
    // ...but a request that says both is about the payload too.
    expect(speaksOfPayload('rtb when battery drops to 20%, no water drops', words)).toBe(true);
  });
});

describe('whether a request holds the drop back', () => {
  it('hears a negation or the say-so asked for in the instruction about the payload', () => {
    // The shipped model read "ask before any water drop" as automatic drops on held-out requests.
    for (const request of [
      'ask before any water drop',
      'do not release water',
      'no drops without my ok',
      'drops need my ok',
      'never drop without asking',
      'payload stays off',
      'get my approval before dropping',
      'sweep the ridge then confirm with me before dropping, also cruise at 40 m',
    ])
      expect(holdsDropsBack(request, words), request).toBe(true);
  });

  it('leaves a free drop free, and reads each instruction on its own', () => {
    for (const request of [
      'drop water as needed',
      'cleared to drop freely',
      'drop without asking',
      'drop water, no need to ask',
      'no lower than 40 metres and drop water freely',
      'okay kestrel, ask for nothing: search the ridge. drop water when you see fire',
      'rtb when battery drops to 20%, do not go below 30 m',
    ])
      expect(holdsDropsBack(request, words), request).toBe(false);
  });
});

describe("a mission's own words", () => {
  it('extend the built-in ones, lowercased, never replacing them', () => {
    const { mission } = parseMission(
      missionWith(
        '{ model: tasker, vocabulary: { behaviors: { area_search: [quarter] }, targets: { person: [Bambi, lost party] }, payload: [foam] } }',
      ),
    );
    const extended = extendVocabulary(words, mission.tasking?.vocabulary);
    expect(spokenBehaviors('quarter the valley', extended)).toEqual(['area_search', 'hold']);
    expect(spokenBehaviors('quarter the valley', words)).toEqual(['hold']);
    expect(spokenTargets('look for the lost party and any bambi', extended)).toEqual(['person']);
    expect(spokenTargets('look for hikers', extended)).toEqual(['person']);
    expect(speaksOfPayload('foam on the hotspots', extended)).toBe(true);
    expect(speaksOfPayload('foam on the hotspots', words)).toBe(false);
  });

  it('EXPECTED FAILURE - an unknown class or a word with punctuation is refused with its path', () => {
    const issuesOf = (tasking: string): string[] => {
      try {
        parseMission(missionWith(tasking));
      } catch (error) {
        expect(error).toBeInstanceOf(MissionError);
        return (error as MissionError).issues.map((i) => renderIssue(i));
      }
      throw new Error('parsed, but it is broken on purpose');
    };
    expect(issuesOf('{ model: tasker, vocabulary: { targets: { dog: [puppy] } } }')).toEqual([
      'tasking.vocabulary.targets.dog: unknown key "dog"',
    ]);
    expect(issuesOf('{ model: tasker, vocabulary: { payload: [water, "foam!"] } }')).toEqual([
      'tasking.vocabulary.payload[1]: must be words of letters and digits separated by single spaces',
    ]);
  });
});
