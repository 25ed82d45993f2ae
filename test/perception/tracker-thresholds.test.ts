/**
 * A pipeline's tracker score thresholds: the mission's pipeline, else the
 * model's manifest (the thresholds the model was flown with), else ByteTrack's
 * 0.5 / 0.6. Checked on the resolver and on a runtime that loads a real model.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMission } from '../../missions/index.js';
import { ModelManifestError, parseModelManifest, perceptionPlugin, trackerThresholds } from '../../perception/index.js';
import { createRuntime } from '../../runtime/index.js';
import { cameraMissionYaml, fixtureModel, inertRobot, tempDir } from '../fieldloop/helpers.js';
import { capturingLogger } from './fixtures.js';

describe('trackerThresholds', () => {
  it("takes the mission's value, then the model's, then the tracker's default, field by field", () => {
    expect(trackerThresholds({}, undefined)).toEqual({
      highScoreThreshold: 0.5,
      newTrackThreshold: 0.6,
      from: { highScoreThreshold: 'default', newTrackThreshold: 'default' },
    });
    expect(trackerThresholds({}, { highScoreThreshold: 0.3, newTrackThreshold: 0.3 })).toEqual({
      highScoreThreshold: 0.3,
      newTrackThreshold: 0.3,
      from: { highScoreThreshold: 'model', newTrackThreshold: 'model' },
    });
    expect(trackerThresholds({ newTrackThreshold: 0.7 }, { highScoreThreshold: 0.3, newTrackThreshold: 0.3 })).toEqual({
      highScoreThreshold: 0.3,
      newTrackThreshold: 0.7,
      from: { highScoreThreshold: 'model', newTrackThreshold: 'mission' },
    });
    expect(trackerThresholds({ highScoreThreshold: 0.4 }, { newTrackThreshold: 0.35 })).toMatchObject({
      highScoreThreshold: 0.4,
      newTrackThreshold: 0.35,
    });
  });
});

describe('model manifest tracker', () => {
  const base = { path: 'm.onnx', sha256: 'a'.repeat(64) };

  it('is optional and parses the two thresholds', () => {
    expect(parseModelManifest(base).tracker).toBeUndefined();
    expect(parseModelManifest({ ...base, tracker: { highScoreThreshold: 0.3 } }).tracker).toEqual({
      highScoreThreshold: 0.3,
    });
  });

  it('EXPECTED FAILURE - a threshold outside 0..1, or a field it does not know, names its path', () => {
    let caught: unknown;
    try {
      parseModelManifest({ ...base, tracker: { highScoreThreshold: 1.5, maxLostMs: 10 } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ModelManifestError);
    expect((caught as Error).message).toMatch(/tracker\.highScoreThreshold/);
    expect((caught as Error).message).toMatch(/maxLostMs/);
  });
});

describe('a pipeline takes its tracker thresholds from the model it loads', () => {
  /** Starts and stops a runtime with the fixture model and returns the pipeline's 'tracker thresholds' log line. */
  async function loggedThresholds(manifestTracker: string, pipelineTracker: string): Promise<Record<string, unknown>> {
    const dir = await tempDir();
    const { manifestPath } = await fixtureModel(dir);
    await writeFile(manifestPath, `${await readFile(manifestPath, 'utf8')}scoreThreshold: 0.3\n${manifestTracker}`);
    const yaml = cameraMissionYaml({ id: 'tracker-test' }).replace(
      '{ id: front, camera: cam, model: det }',
      `{ id: front, camera: cam, model: det${pipelineTracker} }`,
    );
    const mission = parseMission(yaml, { file: join(dir, 'mission.yaml'), baseDir: dir });
    const { logger, lines } = capturingLogger();
    const rt = createRuntime(mission, { plugins: [inertRobot, perceptionPlugin], logger });
    try {
      await rt.start();
    } finally {
      await rt.stop('test over');
    }
    const line = lines.find((l) => l['msg'] === 'tracker thresholds');
    expect(line).toBeDefined();
    return line as Record<string, unknown>;
  }

  it("the model's manifest sets them when the mission does not", async () => {
    const line = await loggedThresholds('tracker: { highScoreThreshold: 0.3, newTrackThreshold: 0.35 }\n', '');
    expect(line).toMatchObject({
      highScoreThreshold: 0.3,
      newTrackThreshold: 0.35,
      from: { highScoreThreshold: 'model', newTrackThreshold: 'model' },
    });
    expect(line['note']).toBeUndefined(); // the tracker starts from the model's own score
  });

  it("the mission's pipeline overrides the model's", async () => {
    const line = await loggedThresholds(
      'tracker: { highScoreThreshold: 0.3, newTrackThreshold: 0.35 }\n',
      ', tracker: { highScoreThreshold: 0.45 }',
    );
    expect(line).toMatchObject({
      highScoreThreshold: 0.45,
      newTrackThreshold: 0.35,
      from: { highScoreThreshold: 'mission', newTrackThreshold: 'model' },
    });
  });

  it("neither: ByteTrack's 0.5 / 0.6", async () => {
    const line = await loggedThresholds('', '');
    expect(line).toMatchObject({ highScoreThreshold: 0.5, newTrackThreshold: 0.6 });
    // The model reports from 0.3: the log says what a second threshold does to its detections.
    expect(line['note']).toMatch(/reports from 0.3 but tracks start from 0.6: detections under 0.5 are published only/);
  });
});
