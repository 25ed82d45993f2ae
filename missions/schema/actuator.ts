import { z } from 'zod';

export const actuatorSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('sim').describe('The simulated vehicle.') }),
    z.strictObject({
      kind: z.literal('ros2'),
      topic: z.string().min(1).default('/cmd_vel').describe('Command topic. Default /cmd_vel.'),
      message: z
        .enum(['twist', 'twist_stamped'])
        .default('twist_stamped')
        .describe('geometry_msgs Twist or TwistStamped. Default twist_stamped.'),
    }),
    z.strictObject({
      kind: z.literal('log').describe('Dry run: approved actions are logged, nothing moves.'),
    }),
  ])
  .describe('Where approved actions go.');

export type Actuator = z.infer<typeof actuatorSchema>;
