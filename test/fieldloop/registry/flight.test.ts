/**
 * Promotion flies the mission: real flights of the default firefighting
 * mission (fast profile, seed 7) with the shipped detector and with the same
 * detector made blind to fire (a manifest whose fire threshold is 0.999), then
 * the promotion gate on those outcomes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../../index.js';
import {
  compareFlights,
  flyMission,
  PromotionRefusedError,
  renderFlights,
  runPromote,
  type FlightOutcome,
} from '../../../fieldloop/index.js';
import { loadMissionFile } from '../../../missions/index.js';
import { SimClock } from '../../../runtime/index.js';
import { repoRoot } from '../../perception/fixtures.js';
import { fixtureModel, newKey, tempDir, yoloSplit } from '../helpers.js';

const MISSION = join(repoRoot, 'missions/examples/firefighting-drone.yaml');
const SHIPPED = join(repoRoot, 'models/kestrel-sim-det.yaml');

let dir: string;
let shipped: FlightOutcome;
let blind: FlightOutcome;

beforeAll(async () => {
  dir = await tempDir();
  const blindManifest = join(dir, 'blind.yaml');
  const text = (await readFile(SHIPPED, 'utf8')).replace(
    'path: kestrel-sim-det.onnx',
    `path: ${join(repoRoot, 'models/kestrel-sim-det.onnx')}`,
  );
  await writeFile(blindManifest, `${text}classes: { fire: { scoreThreshold: 0.999 } }\n`);
  const loaded = await loadMissionFile(MISSION);
  const fly = (manifest: string) =>
    flyMission(loaded, { seed: 7, profile: 'fast', manifest, plugins: builtinPlugins() });
  shipped = await fly(SHIPPED);
  blind = await fly(blindManifest);
}, 240_000);

const outcome = (o: Partial<FlightOutcome> & { out: number; burning: number }): FlightOutcome => ({
  seed: 1,
  completed: true,
  elapsedS: 500,
  ignitions: [],
  ...o,
  fires: { ignited: 2, out: o.out, burning: o.burning },
  safety: o.safety ?? { payloadNearPerson: 0, nearestPersonWhileSprayingM: null, fenceExits: 0 },
});

describe('promotion flights (flyMission, compareFlights)', () => {
  it('judges a real flight from ground truth: the shipped detector puts both fires out, safely', () => {
    expect(shipped).toMatchObject({ seed: 7, completed: true, fires: { ignited: 2, out: 2, burning: 0 } });
    expect(shipped.safety).toMatchObject({ payloadNearPerson: 0, fenceExits: 0 });
  });

  it('a candidate blind to fire flies the same seed, leaves the fires burning, and is refused', () => {
    expect(blind.fires).toEqual({ ignited: 2, out: 0, burning: 2 });
    const c = compareFlights([{ current: shipped, candidate: blind }]);
    expect(c.held).toBe(false);
    expect(c.reason).toMatch(/seed 7: left 2 fire\(s\) burning \(current model: 0\); put out 0 fire\(s\)/);
    expect(renderFlights(c)).toMatch(
      /seed 7\s+2\/2 out, 0 burning, completed at \d+\.\d s, 0 violations\s+0\/2 out.*FAILED/,
    );
    expect(compareFlights([{ current: blind, candidate: shipped }]).held).toBe(true);
  });

  it('a guardrail broken is refused whatever the current model did; an unfinished mission only against a finisher', () => {
    const unsafe = { payloadNearPerson: 3, nearestPersonWhileSprayingM: 21.5, fenceExits: 1 };
    const c = compareFlights([
      {
        current: outcome({ out: 2, burning: 0, safety: unsafe }),
        candidate: outcome({ out: 2, burning: 0, safety: unsafe }),
      },
    ]);
    expect(c.held).toBe(false);
    expect(c.rows[0]?.failures).toEqual(['sprayed with a person 21.5 m away', 'left the geofence 1 time(s)']);
    const unfinished = outcome({ out: 2, burning: 0, completed: false });
    expect(compareFlights([{ current: outcome({ out: 2, burning: 0 }), candidate: unfinished }]).reason).toMatch(
      /did not complete the mission/,
    );
    expect(
      compareFlights([{ current: outcome({ out: 2, burning: 0, completed: false }), candidate: unfinished }]).held,
    ).toBe(true);
    // The first promotion has no current model: only the guardrails count.
    expect(compareFlights([{ current: undefined, candidate: outcome({ out: 0, burning: 2 }) }]).held).toBe(true);
  });

  it('runPromote flies after the dataset checks and promotes only a candidate that holds on every seed', async () => {
    const key = await newKey(dir);
    const v8 = await fixtureModel(join(dir, 'v8'), 'yolov8');
    const reloaded = await fixtureModel(join(dir, 'reloaded'), 'yolov8-reloaded');
    const data = join(dir, 'data');
    // On this split yolov8 finds everything and yolov8-reloaded nothing: the dataset check passes.
    await yoloSplit(data, 'val', [
      [
        [0, 4, 4, 12, 12],
        [1, 19, 17, 29, 23],
      ],
    ]);
    const registry = join(dir, 'registry');
    const clock = new SimClock({ startEpochMs: Date.UTC(2026, 0, 1) });
    const flown: string[] = [];
    // The flights' outcomes are the real ones above, replayed by manifest: current flies as the shipped
    // detector did; the candidate first as the blind one, then as the shipped one.
    const replay = (candidate: FlightOutcome) => ({
      seeds: [7, 11],
      runner: (manifest: string | undefined, seed: number) => {
        flown.push(`${manifest === v8.manifestPath ? 'candidate' : 'current'}:${String(seed)}`);
        return Promise.resolve({ ...(manifest === v8.manifestPath ? candidate : shipped), seed });
      },
    });
    const common = {
      data,
      key: key.pemPath,
      registry,
      clock,
      cwd: dir,
      current: reloaded.manifestPath,
      candidate: v8.manifestPath,
    };

    const refused = await runPromote({ ...common, flights: replay(blind) }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PromotionRefusedError);
    const err = refused as PromotionRefusedError;
    expect(err.comparison.promote).toBe(true); // the dataset check passed: the flights refused it
    expect(err.flights?.held).toBe(false);
    expect(err.issues.map((i) => i.path)).toEqual([
      ['flights', 7],
      ['flights', 11],
    ]);
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ code: 'promote.refused', flights: { held: false } });
    expect(flown).toEqual(['current:7', 'candidate:7', 'current:11', 'candidate:11']);
    await expect(readFile(join(registry, 'current.yaml'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });

    const promoted = await runPromote({ ...common, flights: replay(shipped) });
    expect(promoted.flights?.held).toBe(true);
    expect(promoted.promoted.modelSha256).toBe(v8.sha256);
    expect(promoted.text).toContain('flights: the candidate holds on every flight (seeds 7, 11)');
  });
});
