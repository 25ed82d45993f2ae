import { describe, expect, it } from 'vitest';
import { DEFAULT_TASKING_VOCABULARY as words } from '../../tasking/index.js';
import { admittedPayload, stem } from '../../tasking/payload-cues.js';

const policies = (request: string): readonly string[] | undefined => admittedPayload(request, words)?.policies;

describe('the payload policies a request admits', () => {
  it('admits automatic drops or confirm where nothing withholds the drop or asks for a say-so', () => {
    for (const request of [
      'drop water as needed',
      'patrol the quarry, free drops approved',
      'no lower than 40 metres and drop water freely',
      'search the ridge, dump on hotspots as you see fit',
      // A keep that goes on with the drop holds nothing back.
      'keep dropping water as needed',
      'keep on releasing water on the hot spots',
    ])
      expect(policies(request), request).toEqual(['auto', 'confirm']);
    // A drop the aircraft is told to make sets the policy; water merely named does not.
    expect(admittedPayload('drop water as needed', words)?.required).toBe(true);
    expect(admittedPayload('search the lake for people in the water', words)).toEqual({
      policies: ['auto', 'confirm'],
      required: false,
    });
  });

  it('admits only confirm where the operator asks for the say-so and nothing withholds the drop', () => {
    // The shipped model read these as payload off on held-out requests, or as automatic drops.
    for (const request of [
      'ask before any water drop',
      'search the ridge for fires, ask first, then drop',
      'run every drop by me first',
      'request clearance prior to each retardant drop',
      'only drop when i give the word',
      'human in the loop on every drop',
      'drops on my go',
    ])
      expect(admittedPayload(request, words), request).toEqual({ policies: ['confirm'], required: true });
  });

  it('admits confirm or off, never automatic drops, where a word withholds the drop', () => {
    for (const request of [
      'do not release water',
      'drops are cancelled',
      'zero drops this sortie',
      'negative on drops, weapons safe',
      'keep the water',
      'keep dropping nothing',
      'we are saving the water for later',
      'terminate drop operations',
      'payload stays off',
      'no drops without my ok',
      'tank stays shut until i approve the release',
    ])
      expect(admittedPayload(request, words), request).toEqual({ policies: ['confirm', 'off'], required: true });
  });

  it('leaves a say-so that is waived or already given as no say-so at all', () => {
    for (const request of [
      'drop without asking',
      'drop water, no need to ask',
      'no need to check in before drops',
      'douse anything flaring up, no approval needed',
      'permission granted for unlimited drops',
      'blanket clearance for water drops',
      "don't wait on me, just drop",
      'skip the confirmation and just release',
      'drops are fine by me',
    ])
      expect(policies(request), request).toEqual(['auto', 'confirm']);
  });

  it('EXPECTED FAILURE - a request that does not speak of the payload admits no policy at all', () => {
    for (const request of ['rtb when battery drops to 20%', 'drop below 30 metres and patrol the ridge', 'hold'])
      expect(admittedPayload(request, words), request).toBeUndefined();
  });

  it('reads each instruction on its own: a negation about the altitude is not about the water', () => {
    expect(policies('no lower than 40 metres and drop water freely')).toEqual(['auto', 'confirm']);
    expect(policies('no lower than 40 metres and no water drops')).toEqual(['confirm', 'off']);
    // A say-so said alone just before the drop is about the drop; one about a search is not.
    expect(policies('ask first, then drop')).toEqual(['confirm']);
    expect(policies('ask for nothing: search the ridge. drop water when you see fire')).toEqual(['auto', 'confirm']);
  });
});

describe('the stems the cue lists are matched on', () => {
  it('brings inflected forms onto one stem', () => {
    expect(stem('cancelled')).toBe('cancel');
    expect(stem('stopped')).toBe('stop');
    expect(stem('saving')).toBe(stem('save'));
    expect(stem('stays')).toBe('stay');
    expect(stem('disabled')).toBe(stem('disable'));
    // Too short to cut: "no" and "off" stay themselves.
    expect(stem('no')).toBe('no');
    expect(stem('off')).toBe('off');
  });
});
