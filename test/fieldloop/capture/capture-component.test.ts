import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CaptureStore, fieldloopPlugin } from '../../../fieldloop/index.js';
import { parseMission } from '../../../missions/index.js';
import {
  createLogger,
  createRuntime,
  decisionsTopic,
  detectionsTopic,
  operatorTopic,
  poseTopic,
  sensorTopic,
  type CameraFrame,
  type Component,
  type Detection,
  type KestrelPlugin,
  type PoseEstimate,
  type Runtime,
} from '../../../runtime/index.js';
import { cameraMissionYaml, fixtureModel, tempDir } from '../helpers.js';

const inert = (name: string): Component => ({ name, start: () => undefined, stop: () => undefined });
// Perception is stood in for: the test publishes detections itself, so it knows exactly what each frame held.
const robot: KestrelPlugin = {
  name: 'inert-robot',
  sources: { ros2: (s) => inert(`source-${s.id}`) },
  pipeline: (p) => inert(`perception-${p.id}`),
  behaviors: { hold: () => inert('behavior') },
  guard: () => inert('guard'),
  actuators: { log: () => inert('actuator') },
};

const T0 = Date.UTC(2026, 0, 1);
const PERIOD_MS = 100;

/** Frame i is a flat grey of level 10 * i, so a stored image tells which frame it was. */
function frame(i: number): CameraFrame {
  return {
    frameId: 'cam',
    width: 32,
    height: 24,
    encoding: 'rgb8',
    stepBytes: 96,
    data: new Uint8Array(32 * 24 * 3).fill((10 * i) % 256),
  };
}

const pose = (i: number): PoseEstimate => ({
  frameId: 'map',
  positionM: { x: i, y: 2 * i, z: 40 },
  orientation: { x: 0, y: 0, z: 0, w: 1 },
  yawRad: 0.5,
  poseCovariance: new Array<number>(36).fill(0),
  linearVelocityMps: { x: 0, y: 0, z: 0 },
  yawRateRps: 0,
  source: 'test',
});

const person = (score: number, trackId: number): Detection => ({
  classId: 0,
  className: 'person',
  score,
  box: { x1: 4, y1: 4, x2: 12, y2: 12 },
  trackId,
});

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function runtimeWithCapture(capture: string) {
  const dir = await tempDir();
  await fixtureModel(dir);
  const loaded = parseMission(cameraMissionYaml({ id: 'capture-test', height: 24, extra: capture }), {
    file: join(dir, 'mission.yaml'),
    baseDir: dir,
  });
  const rt = createRuntime(loaded, { plugins: [robot, fieldloopPlugin], logger: createLogger({ level: 'silent' }) });
  await rt.start();
  return { dir, rt };
}

/** Frame i at T0 + i * PERIOD_MS, its pose, then its detections. */
async function feed(rt: Runtime, i: number, detections: readonly Detection[]): Promise<void> {
  const stamp = T0 + i * PERIOD_MS;
  rt.bus.publish(poseTopic, pose(i), stamp);
  rt.bus.publish(sensorTopic('camera', 'cam'), frame(i), stamp);
  await tick();
  rt.bus.publish(
    detectionsTopic,
    {
      pipeline: 'front',
      camera: 'cam',
      model: 'det',
      width: 32,
      height: 24,
      frameStampMs: stamp,
      detections,
      latencyMs: {},
    },
    stamp,
  );
  await tick();
}

describe('capture component', () => {
  it('an uncertain detection captures its frame and the frames before it, with detections, pose and model identity', async () => {
    const { dir, rt } = await runtimeWithCapture(`
capture:
  triggers:
    uncertainty: { minScore: 0.3, maxScore: 0.5 }
  preTriggerMs: 500
  maxFramesPerCapture: 10
  image: { format: png }
  store: { path: captures.sqlite, maxMb: 16 }
`);
    try {
      for (let i = 0; i < 20; i++) await feed(rt, i, [person(0.9, 1)]);
      await feed(rt, 20, [person(0.42, 1)]);
      for (let i = 21; i < 24; i++) await feed(rt, i, [person(0.9, 1)]);
    } finally {
      await rt.stop('test over');
    }
    const store = new CaptureStore({ path: join(dir, 'captures.sqlite'), mustExist: true });
    try {
      const captures = store.captures();
      expect(captures).toHaveLength(1);
      const c = captures[0]!;
      expect(c).toMatchObject({
        trigger: 'uncertainty',
        camera: 'cam',
        anchorStampMs: T0 + 20 * PERIOD_MS,
        mission: 'capture-test',
        modelId: 'det',
        modelSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        operatorMarked: false,
      });
      const frames = store.frames(c.id);
      // 500 ms before the trigger (frames 15-19), the trigger frame, and the frames after it that were in the ring when it fired.
      const index = (s: number): number => (s - T0) / PERIOD_MS;
      expect(frames.map((f) => index(f.stampMs)).slice(0, 6)).toEqual([15, 16, 17, 18, 19, 20]);
      expect(frames.filter((f) => f.isTrigger).map((f) => index(f.stampMs))).toEqual([20]);
      expect(frames.filter((f) => f.stampMs < c.anchorStampMs)).toHaveLength(5);
      const trigger = frames.find((f) => f.isTrigger)!;
      expect(trigger.detections).toEqual([person(0.42, 1)]);
      expect(trigger.pose).toMatchObject({ x: 20, y: 40, z: 40, yawRad: 0.5, stampMs: T0 + 20 * PERIOD_MS });
      // The stored image is that frame's pixels.
      const { data, info } = await sharp(trigger.image).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, data[0]]).toEqual([32, 24, 200]);
      expect(store.models()).toEqual([{ sha256: c.modelSha256, modelId: 'det', classNames: ['person', 'car'] }]);
    } finally {
      store.close();
    }
  });

  it('flicker, guard denial, operator feedback and the seeded random sample each capture, and are told apart', async () => {
    const { dir, rt } = await runtimeWithCapture(`
capture:
  triggers:
    flicker: { maxFrames: 3, goneAfterFrames: 2 }
    guardDenial: {}
    operatorFeedback: {}
    random: { probability: 0.05, seed: 4 }
  minIntervalMs: 0
  maxPendingCaptures: 16
  store: { path: captures.sqlite }
`);
    try {
      for (let i = 0; i < 10; i++) await feed(rt, i, [person(0.9, 1)]);
      // Track 7 shows for two frames and vanishes.
      await feed(rt, 10, [person(0.9, 1), person(0.8, 7)]);
      await feed(rt, 11, [person(0.9, 1), person(0.8, 7)]);
      for (let i = 12; i < 15; i++) await feed(rt, i, [person(0.9, 1)]);
      // The guard denies an action derived from frame 14.
      rt.bus.publish(decisionsTopic, {
        proposalId: 'behavior-000042',
        source: 'behavior/area_search',
        verdict: 'deny',
        requested: { kind: 'payload', on: true },
        ruleId: 'standoff',
        code: 'standoff.too_close',
        reason: 'person within 30 m',
        decidedAtMs: T0 + 1450,
        basis: { frameStampMs: T0 + 14 * PERIOD_MS },
      });
      await tick();
      // An operator marks frame 12 as a false positive.
      rt.bus.publish(operatorTopic, {
        operator: 'alice',
        commandId: 'c-1',
        // The time the operator saw it, between frames 12 and 13: the nearer frame (12) is taken.
        command: { kind: 'feedback', mark: 'false_positive', frameStampMs: T0 + 12 * PERIOD_MS + 30, trackId: 1 },
      });
      await tick();
      for (let i = 15; i < 60; i++) await feed(rt, i, [person(0.9, 1)]);
    } finally {
      await rt.stop('test over');
    }
    const store = new CaptureStore({ path: join(dir, 'captures.sqlite'), mustExist: true });
    try {
      const byTrigger = new Map<string, number[]>();
      for (const c of store.captures()) {
        byTrigger.set(c.trigger, [...(byTrigger.get(c.trigger) ?? []), (c.anchorStampMs - T0) / PERIOD_MS]);
      }
      expect(byTrigger.get('flicker')).toEqual([10]);
      expect(byTrigger.get('guard_denial')).toEqual([14]);
      expect(byTrigger.get('operator_feedback')).toEqual([12]);
      const marked = store.captures().filter((c) => c.operatorMarked);
      expect(marked.map((c) => c.detail)).toEqual([{ operator: 'alice', mark: 'false_positive', trackId: 1 }]);
      // Seeded: 60 frames at 5% samples the same frames on every run (TriggerEngine with seed 4 draws these).
      expect(byTrigger.get('random')?.sort((a, b) => a - b)).toEqual([10, 14, 16, 29, 47]);
    } finally {
      store.close();
    }
  });
});
