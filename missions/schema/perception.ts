import { z } from 'zod';
import { idSchema } from './ids.js';

export const trackerSchema = z
  .strictObject({
    kind: z.enum(['bytetrack', 'iou', 'none']).default('bytetrack').describe('Tracker. Default bytetrack.'),
    maxAgeFrames: z
      .number()
      .int()
      .positive()
      .default(30)
      .describe('Frames a lost track is kept before it is dropped. Default 30.'),
    minHits: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe('Frames a new track needs before it is reported. Default 3.'),
  })
  .describe('Multi-object tracker that gives detections stable ids.');

export const pipelineSchema = z.strictObject({
  id: idSchema.describe('Pipeline id.'),
  camera: idSchema.describe('Id of a camera sensor (sensors[].id with type camera).'),
  model: idSchema.describe('Id of a model (models[].id).'),
  maxRateHz: z
    .number()
    .positive()
    .optional()
    .describe(
      'Run the model at most this often, Hz. Frames in between are skipped (latest wins). Default: camera rate.',
    ),
  tracker: trackerSchema.default({ kind: 'bytetrack', maxAgeFrames: 30, minHits: 3 }),
});

export const perceptionSchema = z
  .strictObject({
    pipelines: z.array(pipelineSchema).default([]).describe('Which camera feeds which model.'),
  })
  .describe('Perception pipelines.');

export type Pipeline = z.infer<typeof pipelineSchema>;
export type PerceptionConfig = z.infer<typeof perceptionSchema>;
