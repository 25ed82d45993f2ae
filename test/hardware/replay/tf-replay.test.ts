import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TempBuffer } from '@mcap/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McapBagWriter, planReplay, openBag, runReplay } from '../../../hardware/index.js';
import { createRuntime, loadMissionFile, silentLogger } from '../../../index.js';
import { transformsTopic, queue, type TransformsMessage } from '../../../runtime/index.js';
import { MS_NS, T0_NS } from '../fixtures/sensor-bags.js';
import { imuMsg } from '../fixtures/ros-messages.js';

let dir: string;
let bag: string;
let mission: string;

function tf(ns: bigint, parent: string, child: string, x: number, w = 1) {
  const sec = Number(ns / 1_000_000_000n);
  const nanosec = Number(ns % 1_000_000_000n);
  return {
    transforms: [
      {
        header: { stamp: { sec, nanosec }, frame_id: parent },
        child_frame_id: child,
        transform: { translation: { x, y: 0, z: 0 }, rotation: { x: 0, y: 0, z: 0, w } },
      },
    ],
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-tf-replay-'));
  const buffer = new TempBuffer();
  const w = await McapBagWriter.create(buffer);
  await w.addTopic('/imu', 'sensor_msgs/msg/Imu');
  await w.addTopic('/tf', 'tf2_msgs/msg/TFMessage');
  await w.addTopic('/tf_static', 'tf2_msgs/msg/TFMessage');
  await w.write('/tf_static', T0_NS, tf(T0_NS, 'base_link', 'camera_link', 0.2));
  for (let ms = 0; ms < 500; ms += 20) await w.write('/imu', T0_NS + BigInt(ms) * MS_NS, imuMsg(T0_NS, ms));
  for (let ms = 0; ms < 500; ms += 100) {
    const ns = T0_NS + BigInt(ms) * MS_NS + 1n;
    // The third one has a zero quaternion: rejected, never published.
    await w.write('/tf', ns, tf(ns, 'odom', 'base_link', ms / 100, ms === 200 ? 0 : 1));
  }
  await w.close();
  bag = join(dir, 'tf.mcap');
  writeFileSync(bag, buffer.get());
  mission = join(dir, 'tf-mission.yaml');
  writeFileSync(
    mission,
    `apiVersion: kestrel/v1
mission: { id: tf-replay, version: 1.0.0 }
platform: { kind: ground, id: rover-tf, maxSpeedMps: 1 }
sensors:
  - { id: imu, type: imu, source: { kind: ros2, topic: /imu }, rateHz: 50 }
transforms: { kind: ros2 }
guardrails: {}
behavior: { kind: hold }
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tf in a replayed bag', () => {
  it('routes the mission tf topics from the bag and takes the live tf source out of the replayed mission', async () => {
    const loaded = await loadMissionFile(mission);
    const reader = await openBag(bag);
    const plan = planReplay(loaded.mission, reader.info);
    await reader.close();
    expect(plan.tfRoutes).toEqual([
      { topic: '/tf', isStatic: false },
      { topic: '/tf_static', isStatic: true },
    ]);
    expect(plan.mission.transforms).toBeUndefined();
  });

  it('publishes /tf_static and /tf on state/transforms in bag order and rejects a bad quaternion', async () => {
    const seen: TransformsMessage[] = [];
    const r = await runReplay({
      loaded: await loadMissionFile(mission),
      bagPath: bag,
      createRuntime,
      speed: Infinity,
      logger: silentLogger(),
      onRuntime: (rt) => {
        rt.bus.subscribe(transformsTopic, (m) => void seen.push(m.data), { policy: queue(100) });
      },
    });
    expect(r.reason).toBe('ended');
    expect(r.tf).toEqual({
      '/tf': { published: 4, transforms: 4, rejected: { 'tf.invalid': 1 } },
      '/tf_static': { published: 1, transforms: 1, rejected: {} },
    });
    expect(seen[0]).toMatchObject({ isStatic: true, transforms: [{ parent: 'base_link', child: 'camera_link' }] });
    expect(seen.slice(1).map((m) => m.transforms[0]?.translation.x)).toEqual([0, 1, 3, 4]);
    // No live ROS 2 component was started for the tf tree (rclnodejs is not even installed here).
    const names = r.health.components.map((c) => c.component);
    expect(names).toContain('bag-replay');
    expect(names).not.toContain('ros2-tf');
  });
});
