import { z } from 'zod';

export const simulationSchema = z
  .strictObject({
    scenario: z
      .string()
      .min(1)
      .describe(
        'Built-in scenario name (forest-fire, dark-factory, perimeter) or a scenario file relative to the mission.',
      ),
    seed: z
      .number()
      .int()
      .nonnegative()
      .default(1)
      .describe('Seed of every random stream in the simulator. Default 1.'),
    stepMs: z.number().positive().max(100).default(10).describe('Physics step, ms of simulated time. Default 10.'),
  })
  .describe('Run against the built-in simulator instead of hardware.');

export type Simulation = z.infer<typeof simulationSchema>;
