import { describe, expect, it } from 'vitest';
import { Ros2TfSource, convertTfMessage, hardwarePlugin } from '../../../hardware/index.js';
import { SimClock, createLogger, queue, transformsTopic } from '../../../runtime/index.js';
import type { Envelope, TransformsMessage } from '../../../runtime/index.js';
import { parseMission } from '../../../missions/index.js';
import { createFakeRclnodejs, FakeQoS } from '../fake-rclnodejs.js';
import { testContext } from '../context.js';

const stamp = (sec: number, nanosec = 0) => ({ sec, nanosec });

/** A tf2_msgs/TFMessage as rclnodejs hands it over (plain object, ROS field names). */
function tfMessage(
  transforms: {
    parent: string;
    child: string;
    sec?: number;
    xyz?: [number, number, number];
    q?: [number, number, number, number];
  }[],
) {
  return {
    transforms: transforms.map((t) => ({
      header: { stamp: stamp(t.sec ?? 1_700_000_000), frame_id: t.parent },
      child_frame_id: t.child,
      transform: {
        translation: { x: t.xyz?.[0] ?? 0, y: t.xyz?.[1] ?? 0, z: t.xyz?.[2] ?? 0 },
        rotation: { x: t.q?.[0] ?? 0, y: t.q?.[1] ?? 0, z: t.q?.[2] ?? 0, w: t.q?.[3] ?? 1 },
      },
    })),
  };
}

describe('tf2_msgs/TFMessage conversion', () => {
  it('strips leading slashes, normalises near-unit quaternions and stamps with the newest transform', () => {
    const c = convertTfMessage(
      tfMessage([
        { parent: '/base_link', child: 'camera_link', xyz: [0.1, 0, -0.05], q: [0, 0.7071, 0, 0.7072], sec: 5 },
        { parent: 'odom', child: 'base_link', sec: 6 },
      ]),
      true,
    );
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.stampMs).toBe(6000);
    expect(c.message.isStatic).toBe(true);
    const cam = c.message.transforms[0]!;
    expect(cam).toMatchObject({ parent: 'base_link', child: 'camera_link', stampMs: 5000 });
    expect(Math.hypot(cam.rotation.x, cam.rotation.y, cam.rotation.z, cam.rotation.w)).toBeCloseTo(1, 12);
  });

  it('EXPECTED FAILURE - rejects the whole message on NaN, a non-unit quaternion, a self-parent or an empty list', () => {
    const cases: [unknown, RegExp][] = [
      [tfMessage([{ parent: 'a', child: 'b', xyz: [NaN, 0, 0] }]), /translation\.x/],
      [tfMessage([{ parent: 'a', child: 'b', q: [0, 0, 0, 0] }]), /not a unit quaternion/],
      [
        tfMessage([
          { parent: 'a', child: 'b' },
          { parent: 'c', child: '/c' },
        ]),
        /own parent/,
      ],
      [tfMessage([{ parent: '', child: 'b' }]), /empty frame id/],
      [{ transforms: [] }, /empty/],
      [{ transforms: 'nope' }, /transforms/],
    ];
    for (const [msg, reason] of cases) {
      const c = convertTfMessage(msg, false);
      expect(c.ok).toBe(false);
      if (!c.ok) {
        expect(c.code).toBe('tf.invalid');
        expect(c.reason).toMatch(reason);
      }
    }
  });
});

describe('Ros2TfSource on the fake rclnodejs', () => {
  it('subscribes /tf (reliable, keep last 100, volatile) and /tf_static (transient local) and publishes valid messages', async () => {
    const ros = createFakeRclnodejs();
    const ctx = testContext();
    const got: Envelope<TransformsMessage>[] = [];
    ctx.bus.subscribe(transformsTopic, (m) => void got.push(m), { policy: queue(10) });
    const tf = new Ros2TfSource({ load: () => Promise.resolve(ros.api) });
    await tf.configure(ctx);
    tf.start(ctx);
    const [dyn, stat] = ros.nodes[0]!.subscriptions;
    expect(dyn).toMatchObject({ typeClass: 'tf2_msgs/msg/TFMessage', topic: '/tf' });
    expect(stat).toMatchObject({ typeClass: 'tf2_msgs/msg/TFMessage', topic: '/tf_static' });
    // history keep-last 1, depth 100, reliable 1, durability volatile 2 / transient local 1
    expect(dyn!.options.qos).toEqual(new FakeQoS(1, 100, 1, 2));
    expect(stat!.options.qos).toEqual(new FakeQoS(1, 100, 1, 1));

    ros.deliver('/tf_static', tfMessage([{ parent: 'base_link', child: 'camera_link', xyz: [0.2, 0, 0] }]));
    ros.deliver('/tf', tfMessage([{ parent: 'odom', child: 'base_link', q: [0, 0, 0, 2] }]));
    ros.deliver('/tf', tfMessage([{ parent: 'odom', child: 'base_link', sec: 1_700_000_001 }]));
    await ctx.clock.advance(0);

    expect(got.map((m) => m.data.isStatic)).toEqual([true, false]);
    expect(got[0]!.data.transforms[0]).toMatchObject({ parent: 'base_link', child: 'camera_link' });
    expect(got[1]!.stampMs).toBe(1_700_000_001_000);
    expect(tf.stats()).toEqual({ published: 2, transforms: 2, rejected: { 'tf.invalid': 1 } });
    tf.stop();
    expect(ros.nodes[0]!.destroyed).toBe(true);
  });

  it('is added by the hardware plugin when the mission names a ros2 tf tree, with the mission topics', () => {
    const { mission } = parseMission(
      [
        'apiVersion: kestrel/v1',
        'mission: { id: tf-demo, version: 0.1.0 }',
        'platform: { kind: ground, id: ugv-1, maxSpeedMps: 2 }',
        'transforms: { kind: ros2, staticTopic: /robot/tf_static }',
        'guardrails: {}',
        'behavior: { kind: hold }',
      ].join('\n'),
    );
    expect(mission.transforms).toEqual({ kind: 'ros2', topic: '/tf', staticTopic: '/robot/tf_static' });
    const ctx = { mission, baseDir: '.', clock: new SimClock(), logger: createLogger({ level: 'silent' }) };
    const components = hardwarePlugin.components?.(ctx) ?? [];
    expect(components.filter((c) => c instanceof Ros2TfSource)).toHaveLength(1);
    const without = hardwarePlugin.components?.({ ...ctx, mission: { ...mission, transforms: undefined } }) ?? [];
    expect(without.filter((c) => c instanceof Ros2TfSource)).toHaveLength(0);
  });
});
