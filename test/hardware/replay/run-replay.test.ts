import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecoderCache,
  RECORDED_OUTPUTS,
  ReplayError,
  openBag,
  runReplay,
  type ReplayOptions,
  type ReplayResult,
} from '../../../hardware/index.js';
import { createRuntime, loadMissionFile, silentLogger } from '../../../index.js';
import { repoRoot } from '../bag/paths.js';
import { replayMissionYaml, writeReplayFixture } from '../fixtures/replay-bag.js';

const MODEL = join(repoRoot, 'test', 'fixtures', 'models', 'yolov8.onnx');
let dir: string;
let fixture: { bag: string; mission: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-replay-'));
  fixture = await writeReplayFixture(dir, MODEL);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function replay(
  bagPath: string,
  extra: Partial<ReplayOptions> = {},
  mission = fixture.mission,
): Promise<ReplayResult> {
  return runReplay({
    loaded: await loadMissionFile(mission),
    bagPath,
    createRuntime,
    speed: Infinity,
    logger: silentLogger(),
    ...extra,
  });
}

/** What must match between two replays: everything the mission produced, not how long it took. */
function produced(r: ReplayResult): unknown {
  return { sensors: r.sensors, detections: r.detections, decisions: r.decisions, poses: r.poses, replayS: r.replayS };
}

describe('runReplay', () => {
  it('feeds every mapped topic, rejects the NO_FIX, and runs perception, fusion, behavior and guard', async () => {
    const r = await replay(fixture.bag);
    expect(r.reason).toBe('ended');
    expect(r.sensors).toEqual({
      cam: { topic: '/camera/image_raw', published: 20, rejected: {} },
      odom: { topic: '/odom', published: 40, rejected: {} },
      imu: { topic: '/imu', published: 100, rejected: {} },
      gps: { topic: '/fix', published: 1, rejected: { 'gnss.no_fix': 1 } },
      battery: { topic: '/battery', published: 2, rejected: {} },
    });
    // The 32x32 test model finds two objects in every frame; the pipeline runs on all 20.
    expect(r.detections.frames).toBe(20);
    expect(r.detections.total).toBe(40);
    expect(r.decisions.allow + r.decisions.modify + r.decisions.deny).toBeGreaterThan(0);
    // Patrol asks for 1 m/s; the guard's 0.4 m/s limit clamps it.
    expect(r.decisions.byCode['speed.clamp']).toBe(r.decisions.modify);
    expect(r.poses.count).toBeGreaterThan(0);
    expect(r.replayS).toBeCloseTo(1.981, 6); // bag time: first message at 0 ms, last (an IMU sample) at 1981 ms
    expect(r.health.components.filter((c) => c.state === 'failed')).toEqual([]);
  });

  it('gives the same detections, decisions and poses at max speed and paced at 20x', async () => {
    const fast = await replay(fixture.bag);
    const paced = await replay(fixture.bag, { speed: 20 });
    expect(paced.wallS).toBeGreaterThan(0.08); // 2 s of bag at 20x: it really was paced
    expect(produced(paced)).toEqual(produced(fast));
  });

  it('round trip: --record writes inputs and outputs; replaying the recording gives the same detections and decisions', async () => {
    const out = join(dir, 'recorded.mcap');
    const first = await replay(fixture.bag, { recordPath: out });
    const second = await replay(out);
    expect(second.detections).toEqual(first.detections);
    expect(second.decisions).toEqual(first.decisions);
    expect(second.sensors).toEqual(first.sensors);

    const bag = await openBag(out);
    try {
      const counts = Object.fromEntries(bag.info.topics.map((t) => [t.name, t.messageCount]));
      expect(counts).toMatchObject({
        '/camera/image_raw': 20,
        '/odom': 40,
        '/imu': 100,
        '/fix': 2,
        '/battery': 2,
        [RECORDED_OUTPUTS.detections.topic]: first.detections.frames,
        [RECORDED_OUTPUTS.decisions.topic]: first.decisions.allow + first.decisions.modify + first.decisions.deny,
      });
      expect(counts[RECORDED_OUTPUTS.pose.topic]).toBeGreaterThan(0);
      expect(first.recorded?.messages).toBe(bag.info.messageCount);
      // The recorded detections decode with the schema stored in the file (what Foxglove reads).
      const topic = bag.info.topics.find((t) => t.name === RECORDED_OUTPUTS.detections.topic)!;
      expect(topic.schema?.encoding).toBe('ros2msg');
      const decode = new DecoderCache().get(topic);
      for await (const m of bag.messages({ topics: [topic.name] })) {
        const msg = decode(m.data) as { detections: { results: { hypothesis: { class_id: string } }[] }[] };
        expect(msg.detections.map((d) => d.results[0]!.hypothesis.class_id).sort()).toEqual(['car', 'person']);
        break;
      }
    } finally {
      await bag.close();
    }
  });

  it('cuts a long silence in the bag to --max-gap, keeping the topics aligned', async () => {
    const gapDir = mkdtempSync(join(dir, 'gap-'));
    const gapped = await writeReplayFixture(gapDir, MODEL, { gapAtMs: 1000, gapMs: 3_600_000 });
    const r = await replay(gapped.bag, { maxGapMs: 500 });
    const plain = await replay(fixture.bag);
    // An hour of silence replays as at most half a second more than the plain bag.
    expect(r.replayS).toBeLessThan(plain.replayS + 0.5);
    expect(r.sensors).toEqual(plain.sensors);
    // The digest sees time: the same messages replayed at other instants give another fingerprint.
    expect(r.detections.digest).not.toBe(plain.detections.digest);
  });

  it('loops until --duration', async () => {
    const r = await replay(fixture.bag, { loop: true, durationMs: 5000 });
    expect(r.reason).toBe('duration');
    expect(r.replayS).toBeCloseTo(5, 6);
    expect(r.passes).toBe(2);
    expect(r.sensors['imu']!.published).toBeGreaterThan(200);
  });

  it('lists mission sensors the bag does not feed', async () => {
    const mission = join(dir, 'with-lidar.yaml');
    writeFileSync(
      mission,
      replayMissionYaml(
        MODEL,
        '  - { id: lidar, type: lidar, source: { kind: ros2, topic: /scan }, rateHz: 10 }\n  - { id: usbcam, type: camera, source: { kind: camera, device: /dev/video9 }, rateHz: 10, width: 640, height: 480 }\n',
      ),
    );
    const r = await replay(fixture.bag, {}, mission);
    expect(r.unmapped).toEqual([
      { sensorId: 'lidar', reason: 'the bag has no topic /scan' },
      { sensorId: 'usbcam', reason: 'source camera has no topic' },
    ]);
  });

  it('EXPECTED FAILURE - a mission with no sensor on a bag topic is replay.no_topics', async () => {
    const mission = join(dir, 'no-topics.yaml');
    writeFileSync(mission, replayMissionYaml(MODEL).replaceAll('kind: ros2, topic: /', 'kind: ros2, topic: /other/'));
    const err = await replay(fixture.bag, {}, mission).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayError);
    expect(err).toMatchObject({ code: 'replay.no_topics', message: expect.stringContaining('/camera/image_raw') });
  });
});
