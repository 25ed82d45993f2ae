import { z } from 'zod';

export const simulationSchema = z
  .strictObject({
    scenario: z
      .string()
      .min(1)
      .describe(
        'Built-in scenario name (forest-fire, forest-fire-night, dark-factory, perimeter) or a scenario file relative to the mission.',
      ),
    seed: z
      .number()
      .int()
      .nonnegative()
      .default(1)
      .describe('Seed of every random stream in the simulator. Default 1.'),
    stepMs: z.number().positive().max(100).default(10).describe('Physics step, ms of simulated time. Default 10.'),
    labelLog: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Write every simulated camera frame's ground-truth boxes (labelled as `kestrel sim dataset` labels them) to this JSONL file, relative to the mission, so `kestrel data label-sim` can label field captures. Absent: no log.",
      ),
  })
  .describe('Run against the built-in simulator instead of hardware.');

export type Simulation = z.infer<typeof simulationSchema>;
