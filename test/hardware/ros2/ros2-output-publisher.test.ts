import { describe, expect, it } from 'vitest';
import { ROS2_OUTPUTS, Ros2OutputPublisher } from '../../../hardware/index.js';
import { decisionsTopic, detectionsTopic, poseTopic } from '../../../runtime/index.js';
import { createFakeRclnodejs, FakeQoS } from '../fake-rclnodejs.js';
import { testContext } from '../context.js';

async function rig(namespace?: string) {
  const ros = createFakeRclnodejs();
  const ctx = testContext();
  const out = new Ros2OutputPublisher({
    robotId: 'rover-1',
    cameraFrames: new Map([['cam', 'camera_optical']]),
    load: () => Promise.resolve(ros.api),
    ...(namespace === undefined ? {} : { namespace }),
  });
  await out.configure(ctx);
  out.start(ctx);
  return { ros, ctx, out };
}

describe('Ros2OutputPublisher on the fake rclnodejs', () => {
  it('creates one reliable publisher per output with its ROS 2 type', async () => {
    const { ros, out } = await rig();
    const pubs = ros.nodes[0]!.publishers;
    expect(pubs.map((p) => [p.typeClass, p.topic])).toEqual(Object.values(ROS2_OUTPUTS).map((o) => [o.type, o.topic]));
    for (const p of pubs) expect(p.options?.qos).toEqual(new FakeQoS(1, 10, 1));
    out.stop();
    expect(pubs.every((p) => p.destroyed)).toBe(true);
  });

  it('publishes pose, detections and decisions as they appear on the bus', async () => {
    const { ros, ctx, out } = await rig();
    const now = ctx.clock.nowMs();
    ctx.bus.publish(
      poseTopic,
      {
        frameId: 'map',
        positionM: { x: 1, y: 2, z: 0 },
        orientation: { x: 0, y: 0, z: 0, w: 1 },
        yawRad: 0,
        poseCovariance: new Array(36).fill(0),
        linearVelocityMps: { x: 0, y: 0, z: 0 },
        yawRateRps: 0,
        source: 'ekf',
      },
      now,
    );
    ctx.bus.publish(detectionsTopic, {
      pipeline: 'front',
      camera: 'cam',
      model: 'det',
      width: 32,
      height: 32,
      frameStampMs: now,
      detections: [{ classId: 0, className: 'person', score: 0.9, box: { x1: 4, y1: 4, x2: 12, y2: 12 } }],
      latencyMs: {},
    });
    ctx.bus.publish(decisionsTopic, {
      proposalId: 'p-1',
      source: 'behavior/hold',
      verdict: 'deny',
      requested: { kind: 'hold' },
      ruleId: 'staleness',
      code: 'source.stale',
      reason: 'odom is 900 ms old',
      decidedAtMs: now,
    });
    await ctx.clock.advance(0);
    expect(ros.published('/kestrel/pose')).toMatchObject([
      { header: { frame_id: 'map' }, pose: { pose: { position: { x: 1, y: 2, z: 0 } } } },
    ]);
    expect(ros.published('/kestrel/detections')).toMatchObject([
      { header: { frame_id: 'camera_optical' }, detections: [{ bbox: { size_x: 8, size_y: 8 } }] },
    ]);
    expect(ros.published('/kestrel/guard/decisions')).toMatchObject([
      {
        status: [{ level: 2, name: 'kestrel/guard/staleness', hardware_id: 'rover-1', message: 'odom is 900 ms old' }],
      },
    ]);
    out.stop();
  });

  it('puts the topics under another namespace when asked', async () => {
    const { ros, out } = await rig('/rover1/kestrel');
    expect(ros.nodes[0]!.publishers.map((p) => p.topic)).toEqual([
      '/rover1/kestrel/pose',
      '/rover1/kestrel/detections',
      '/rover1/kestrel/guard/decisions',
    ]);
    out.stop();
  });
});
