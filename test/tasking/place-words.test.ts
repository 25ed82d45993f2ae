import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMissionFile, type Mission } from '../../missions/index.js';
import { ZoneIndex, placeOf } from '../../tasking/index.js';

const MISSION = path.resolve(import.meta.dirname, '../../missions/examples/firefighting-drone.yaml');

let mission: Mission;
let zones: ZoneIndex;
beforeAll(async () => {
  mission = (await loadMissionFile(MISSION)).mission;
  zones = new ZoneIndex(mission);
});

describe('the place a plan names', () => {
  it('runs a copied place on over the words around it that are no instruction words', () => {
    // From held-out samples: the shipped model copies the familiar words of a place it does not know.
    const cases: [string, string, string][] = [
      ["i'd like you to scan across lopine old mill, also return to base", 'old mill', 'lopine old mill'],
      ['OVER AT HARDOR PICNIC AREA, CARRY OUT AN INSPECTION OF IT', 'hardor picnic', 'hardor picnic area'],
      ['stay up at 139m. and move to the south pump house then sweep it', 'south pump house', 'the south pump house'],
      ['uhh move to the stongalley old mill then inspect over it', 'the stongalley', 'the stongalley old mill'],
      ['land it right over pump house corrin', 'house corrin', 'pump house corrin'],
    ];
    for (const [request, answered, said] of cases) expect(placeOf(request, zones, answered), request).toBe(said);
  });

  it('stops at instruction words, misspelt ones too, at clause edges and at numbers', () => {
    const unchanged: [string, string][] = [
      ['please sweep thrugh the lower old mill for smoke', 'the lower old mill'],
      ['go patorlling the gorge for smoke plumes', 'the gorge'],
      ['search the pump house hunting for hikers', 'the pump house'],
      ['over at the lake, keep patrolling it', 'the lake'],
      ['battery floor 53%, move to corra picnic area', 'corra picnic area'],
    ];
    for (const [request, place] of unchanged) expect(placeOf(request, zones, place), request).toBe(place);
  });

  it('leaves a mission zone, and a place the request does not hold, as they are', () => {
    expect(placeOf('patrol the lopine quarry', zones, 'quarry')).toBe('quarry');
    expect(placeOf('search the ridge', zones, 'atlantis')).toBe('atlantis');
    // A zone said inside a longer place is that place (placeForZone).
    expect(placeOf('search the big quarry', zones, 'quarry')).toBe('the big quarry');
  });

  it('never completes a place into a zone the request did not name', () => {
    const renamed = new ZoneIndex({
      ...mission,
      zones: mission.zones.map((z) => (z.name === 'quarry' ? { ...z, name: 'pine flats', aliases: [] } : z)),
    });
    // "head back to pine flats at 30%" says when to fly back, so it names no zone (a return-home threshold):
    // "flats" must not grow into the zone.
    expect(placeOf('head back to pine flats at 30%, then patrol', renamed, 'flats')).toBe('flats');
    expect(placeOf('patrol pine flats', renamed, 'flats')).toBe('pine flats');
  });
});
