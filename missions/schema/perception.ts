import { z } from 'zod';
import { idSchema } from './ids.js';

export const trackerSchema = z
  .strictObject({
    kind: z
      .enum(['bytetrack', 'none'])
      .default('bytetrack')
      .describe('Tracker: bytetrack, or none for raw detections. Default bytetrack.'),
    maxLostMs: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('A track unmatched this long is dropped, ms. Default 1000.'),
    matchIou: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('Minimum IoU to continue a track with a detection. Default 0.2.'),
    highScoreThreshold: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        'Score from which a detection may start a track or continue one at matchIou; under it, a detection only ' +
          "continues a track it overlaps at IoU 0.5 (ByteTrack's second association). Detections the model reports " +
          "under it are published only while they continue a track. Default: the model manifest's " +
          'tracker.highScoreThreshold (the score the model was flown with), else 0.5.',
      ),
    newTrackThreshold: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        'Score a detection needs to start a new track (births need highScoreThreshold too). Default: the model ' +
          "manifest's tracker.newTrackThreshold, else 0.6.",
      ),
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
  // An absent tracker is `{}` parsed, not a second copy of the field defaults to keep in step; the score
  // thresholds stay unset there, for the pipeline to take from the model's manifest.
  tracker: trackerSchema.prefault({}),
});

export const perceptionSchema = z
  .strictObject({
    pipelines: z.array(pipelineSchema).default([]).describe('Which camera feeds which model.'),
  })
  .describe('Perception pipelines.');

export type Pipeline = z.infer<typeof pipelineSchema>;
export type PerceptionConfig = z.infer<typeof perceptionSchema>;
