import { describe, expect, it } from 'vitest';
import { Ros2TwistActuator } from '../../../hardware/index.js';
import { commandsTopic } from '../../../runtime/index.js';
import type { Action } from '../../../runtime/index.js';
import { createFakeRclnodejs, FakeQoS } from '../fake-rclnodejs.js';
import { testContext } from '../context.js';

const velocity = (x: number, yaw: number): Action => ({
  kind: 'velocity',
  linearMps: { x, y: 0, z: 0 },
  yawRateRps: yaw,
});

async function rig(message: 'twist' | 'twist_stamped') {
  const ros = createFakeRclnodejs();
  const ctx = testContext();
  const act = new Ros2TwistActuator({ topic: '/cmd_vel', message, load: () => Promise.resolve(ros.api) });
  await act.configure(ctx);
  act.start(ctx);
  let seq = 0;
  const command = async (action: Action): Promise<void> => {
    ctx.bus.publish(commandsTopic, { proposalId: `p-${seq++}`, action, issuedAtMs: ctx.clock.nowMs() });
    await ctx.clock.advance(0);
  };
  return { ros, ctx, act, command };
}

describe('Ros2TwistActuator on the fake rclnodejs', () => {
  it('publishes approved velocity commands as geometry_msgs/Twist on a reliable publisher', async () => {
    const { ros, act, command } = await rig('twist');
    const pub = ros.nodes[0]!.publishers[0]!;
    expect(pub).toMatchObject({ typeClass: 'geometry_msgs/msg/Twist', topic: '/cmd_vel' });
    expect(pub.options?.qos).toEqual(new FakeQoS(1, 10, 1));
    await command(velocity(0.8, -0.2));
    await command({ kind: 'payload', on: true });
    await command({ kind: 'stop' });
    expect(ros.published('/cmd_vel')).toEqual([
      { linear: { x: 0.8, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -0.2 } },
      { linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } },
    ]);
    act.stop();
    expect(pub.destroyed).toBe(true);
  });

  it('stamps TwistStamped with the clock and frame base_link, and leaves the robot stopped on shutdown', async () => {
    const { ros, ctx, act, command } = await rig('twist_stamped');
    await ctx.clock.advance(1234.5);
    await command(velocity(1, 0));
    act.stop();
    const sent = ros.published('/cmd_vel') as {
      header: { stamp: { sec: number; nanosec: number }; frame_id: string };
      twist: unknown;
    }[];
    expect(sent).toHaveLength(2);
    const t = ctx.clock.nowMs();
    expect(sent[0]!.header).toEqual({
      stamp: { sec: Math.floor(t / 1000), nanosec: Math.round((t % 1000) * 1e6) },
      frame_id: 'base_link',
    });
    expect(sent[1]!.twist).toEqual({ linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } });
  });
});
