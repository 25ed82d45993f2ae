import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMissionFile, MissionError, parseMission, renderIssue, type MissionIssue } from '../../missions/index.js';

const examples = join(import.meta.dirname, '../../missions/examples');
const broken = join(import.meta.dirname, '../fixtures/missions/broken');

async function issuesOf(file: string): Promise<MissionIssue[]> {
  try {
    await loadMissionFile(join(broken, file));
  } catch (error) {
    expect(error).toBeInstanceOf(MissionError);
    return [...(error as MissionError).issues];
  }
  throw new Error(`${file} loaded, but it is broken on purpose`);
}

const rendered = (issues: MissionIssue[]): string[] => issues.map((i) => renderIssue(i));

describe('example missions', () => {
  const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));

  it('ships at least the firefighting, factory and perimeter examples', () => {
    expect(files).toEqual(
      expect.arrayContaining(['firefighting-drone.yaml', 'factory-inspection.yaml', 'perimeter-patrol.yaml']),
    );
  });

  it.each(files)('%s validates', async (file) => {
    const loaded = await loadMissionFile(join(examples, file));
    expect(loaded.mission.apiVersion).toBe('kestrel/v1');
    expect(loaded.baseDir).toBe(examples);
  });
});

describe('EXPECTED FAILURE - broken missions name the path of each problem', () => {
  it('a two-point polygon', async () => {
    const issues = await issuesOf('polygon-too-small.yaml');
    expect(rendered(issues)).toEqual(['guardrails.geofence[2]: polygon needs at least 3 points']);
    expect(issues[0]).toMatchObject({ line: 9, column: 7 });
  });

  it('unknown keys are errors, not ignored', async () => {
    const issues = await issuesOf('unknown-keys.yaml');
    expect(rendered(issues)).toEqual([
      'platform.maxSpeedMph: unknown key "maxSpeedMph"',
      'guardrails.geofnce: unknown key "geofnce"',
    ]);
    expect(issues.every((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('references to sensors and models that do not exist, and duplicate ids', async () => {
    expect(rendered(await issuesOf('bad-references.yaml'))).toEqual([
      'sensors[1].id: sensor id "imu" is already used by sensors[0]',
      'perception.pipelines[0].camera: sensor "imu" has type imu, not camera',
      'perception.pipelines[1].camera: no sensor with id "cam_missing"',
      'perception.pipelines[1].model: no model with id "nope"',
    ]);
  });

  it('wrong types, bad enums, inverted bands', async () => {
    expect(rendered(await issuesOf('bad-values.yaml'))).toEqual([
      'mission.version: must be a semantic version such as 1.0.0',
      'platform.kind: must be one of "multirotor", "ground", "fixed_site", got "helicopter"',
      'guardrails.altitude.maxM: maxM (20) must be above minM (80)',
      'guardrails.speed.maxLinearMps: must be > 0, got -3',
      'guardrails.battery.landPct: landPct (25) must be below returnHomePct (20)',
      'guardrails.standoff[0].slowM: slow zone (10 m) must not be inside the stop zone (30 m)',
      'guardrails.linkLoss.action: must be one of "hold", "return_home", "land", "stop", "continue", got "panic"',
      'behavior.laneSpacingM: expected number, got "ten"',
    ]);
  });

  it('self-intersecting and degenerate polygons', async () => {
    expect(rendered(await issuesOf('self-intersecting.yaml'))).toEqual([
      'guardrails.geofence[0]: polygon edges 0 and 2 cross each other',
      'guardrails.noGo[0].polygon: polygon has zero area (its points lie on a line)',
    ]);
  });

  it('geographic points without an origin', async () => {
    expect(rendered(await issuesOf('geo-without-origin.yaml'))).toEqual([
      'guardrails.geofence[0][0]: geographic {lat, lon} points need an origin block to convert them',
    ]);
  });

  it('YAML syntax errors carry line and column', async () => {
    try {
      await loadMissionFile(join(broken, 'syntax-error.yaml'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MissionError);
      const e = error as MissionError;
      expect(e.code).toBe('mission.syntax');
      expect(e.issues[0]).toMatchObject({ message: 'Map keys must be unique', line: 4, column: 1 });
    }
  });

  it('every broken fixture fails, and with at least one located issue', async () => {
    for (const file of readdirSync(broken)) {
      const issues = await issuesOf(file);
      expect(issues.length, file).toBeGreaterThan(0);
      expect(
        issues.some((i) => i.line !== undefined),
        file,
      ).toBe(true);
    }
  });
});

describe('BAD CALL - loading', () => {
  it('a file that does not exist', async () => {
    await expect(loadMissionFile(join(broken, 'nope.yaml'))).rejects.toMatchObject({ code: 'mission.read_failed' });
  });

  it('a file with the wrong extension', async () => {
    await expect(loadMissionFile(join(import.meta.dirname, 'load.test.ts'))).rejects.toMatchObject({
      code: 'mission.read_failed',
    });
  });
});

describe('defaults', () => {
  it('fills every default an operator may leave out', () => {
    const { mission } = parseMission(
      [
        'apiVersion: kestrel/v1',
        'mission: { id: minimal, version: 0.1.0 }',
        'platform: { kind: ground, id: r1, maxSpeedMps: 2 }',
        'guardrails: {}',
        'behavior: { kind: hold }',
      ].join('\n'),
    );
    expect(mission.sensors).toEqual([]);
    expect(mission.guardrails.horizonS).toBe(3);
    expect(mission.telemetry.buffer).toEqual({ dir: '.kestrel/telemetry', maxMb: 256 });
    expect(mission.logging).toEqual({ level: 'info', format: 'auto' });
    expect(mission.platform).toMatchObject({ kind: 'ground', maxAccelMps2: 1, wheelBaseM: 0.5 });
  });

  it('reads JSON as well as YAML', () => {
    const json = JSON.stringify({
      apiVersion: 'kestrel/v1',
      mission: { id: 'json-mission', version: '1.0.0' },
      platform: { kind: 'fixed_site', id: 'mast-1' },
      guardrails: {},
      behavior: { kind: 'hold' },
    });
    expect(parseMission(json, { file: 'm.json' }).mission.platform.kind).toBe('fixed_site');
  });
});

describe('perception pipeline tracker', () => {
  const firefighting = readFileSync(join(examples, 'firefighting-drone.yaml'), 'utf8');
  const PIPELINE = '- { id: down, camera: cam_down, model: fire-det, maxRateHz: 5 }';
  const withTracker = (tracker: string): string =>
    firefighting.replace(
      PIPELINE,
      `- { id: down, camera: cam_down, model: fire-det, maxRateHz: 5, tracker: ${tracker} }`,
    );

  it("leaves the score thresholds to the model's manifest by default; a mission may set them", () => {
    expect(firefighting).toContain(PIPELINE);
    const plain = parseMission(firefighting, { file: join(examples, 'firefighting-drone.yaml') });
    // No thresholds here: the pipeline takes the model manifest's, else ByteTrack's 0.5 / 0.6 (tracker-thresholds test).
    expect(plain.mission.perception.pipelines[0]?.tracker).toEqual({
      kind: 'bytetrack',
      maxLostMs: 1000,
      matchIou: 0.2,
    });
    const low = parseMission(withTracker('{ highScoreThreshold: 0.3, newTrackThreshold: 0.3 }'), {
      file: join(examples, 'firefighting-drone.yaml'),
    });
    expect(low.mission.perception.pipelines[0]?.tracker).toMatchObject({
      highScoreThreshold: 0.3,
      newTrackThreshold: 0.3,
    });
  });

  it('EXPECTED FAILURE - a threshold outside 0..1 names its path', () => {
    let caught: unknown;
    try {
      parseMission(withTracker('{ highScoreThreshold: 1.5 }'), { file: join(examples, 'firefighting-drone.yaml') });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MissionError);
    expect((caught as MissionError).issues.map((i) => i.path.join('.'))).toEqual([
      'perception.pipelines.0.tracker.highScoreThreshold',
    ]);
  });
});
