import { z } from 'zod';

const rosTopic = z.string().regex(/^\/?[A-Za-z_~][A-Za-z0-9_/~{}]*$/, 'must be a ROS 2 topic name');

/** Where the robot's tf tree comes from (integrators on ROS 2 publish their mounts there). */
export const transformsSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('ros2'),
      topic: rosTopic.default('/tf').describe('Dynamic transforms. Default /tf.'),
      staticTopic: rosTopic.default('/tf_static').describe('Latched static transforms. Default /tf_static.'),
    }),
  ])
  .describe(
    "The robot's tf tree: ros2 subscribes to /tf and /tf_static (tf2_ros listener QoS) and publishes them on state/transforms.",
  );

export type TransformsSource = z.infer<typeof transformsSchema>;
