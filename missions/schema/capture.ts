import { z } from 'zod';
import { idSchema } from './ids.js';

const priority = (fallback: number) =>
  z
    .int()
    .min(0)
    .max(9)
    .default(fallback)
    .describe(
      `Retention priority 0..9: when the store is full, lower priorities are evicted first (oldest first within one). Default ${fallback}.`,
    );

const unit = z.number().min(0).max(1);

export const captureTriggersSchema = z
  .strictObject({
    uncertainty: z
      .strictObject({
        minScore: unit.describe(
          'Lower edge of the band (0..1, inclusive). Must be at or above the model’s scoreThreshold to ever fire.',
        ),
        maxScore: unit.describe('Upper edge of the band (0..1, exclusive).'),
        classes: z.array(z.string().min(1)).min(1).optional().describe('Only these class names. Default: every class.'),
        priority: priority(1),
      })
      .refine((u) => u.minScore < u.maxScore, { error: 'minScore must be below maxScore', path: ['maxScore'] })
      .optional()
      .describe('Capture a frame with a detection whose score falls in [minScore, maxScore): the model was unsure.'),
    flicker: z
      .strictObject({
        maxFrames: z
          .int()
          .min(1)
          .max(100)
          .default(3)
          .describe('A track seen in fewer frames than this before it vanished flickered. Default 3.'),
        goneAfterFrames: z
          .int()
          .min(1)
          .max(100)
          .default(2)
          .describe('A track absent this many frames in a row has vanished. Default 2.'),
        priority: priority(1),
      })
      .optional()
      .describe(
        'Capture tracks that appear and vanish within a few frames (a flickering false positive or a target at the edge of detection).',
      ),
    guardDenial: z
      .strictObject({
        codes: z
          .array(z.string().min(1))
          .min(1)
          .optional()
          .describe('Only denials with these codes (e.g. standoff.too_close). Default: every denial.'),
        priority: priority(2),
      })
      .optional()
      .describe('Capture the frame an action was derived from when the guard denies that action.'),
    operatorFeedback: z
      .strictObject({ priority: priority(3) })
      .optional()
      .describe(
        'Capture what an operator marks as a false positive or a missed target (a `feedback` command). Operator-marked captures are evicted only after every other capture.',
      ),
    random: z
      .strictObject({
        probability: unit.describe('Chance per processed frame (0..1), e.g. 0.01.'),
        seed: z.int().default(1).describe('Seed of the sampler, so a run repeats exactly. Default 1.'),
        priority: priority(0),
      })
      .optional()
      .describe('A small random sample of ordinary frames, for calibration.'),
  })
  .describe('What makes a capture. Each trigger is off unless listed.');

export const captureSchema = z
  .strictObject({
    pipelines: z
      .array(idSchema)
      .min(1)
      .optional()
      .describe('Perception pipelines to capture from. Default: every pipeline.'),
    triggers: captureTriggersSchema,
    ring: z
      .strictObject({
        seconds: z.number().positive().max(60).default(3).describe('Frames kept in memory per camera, s. Default 3.'),
        maxMb: z
          .number()
          .positive()
          .default(64)
          .describe('Memory bound of the ring over all cameras, MiB. Default 64.'),
      })
      .prefault({})
      .describe(
        'The hot in-memory ring of recent frames, detections and pose, so a capture includes what came before its trigger.',
      ),
    preTriggerMs: z
      .int()
      .min(0)
      .max(60_000)
      .default(1000)
      .describe(
        'A capture keeps the frames up to this long before its trigger frame (from the ring), ms. Default 1000.',
      ),
    maxFramesPerCapture: z
      .int()
      .min(1)
      .max(300)
      .default(10)
      .describe(
        'Most frames in one capture; the trigger frame is always kept, then the nearest before it. Default 10.',
      ),
    minIntervalMs: z
      .int()
      .min(0)
      .default(1000)
      .describe(
        'Least time between two captures of one trigger on one camera, ms (operator feedback is never held back). Default 1000.',
      ),
    store: z
      .strictObject({
        path: z
          .string()
          .min(1)
          .default('.kestrel/captures.sqlite')
          .describe('SQLite database of captures, relative to the mission file. Default .kestrel/captures.sqlite.'),
        maxMb: z.number().positive().default(512).describe('Byte quota of stored captures, MiB. Default 512.'),
      })
      .prefault({})
      .describe(
        'The warm on-disk store, bounded by a quota with eviction by priority, then age; operator-marked last.',
      ),
    image: z
      .strictObject({
        format: z.enum(['jpeg', 'png']).default('jpeg').describe('Encoding of stored frames. Default jpeg.'),
        quality: z.int().min(1).max(100).default(90).describe('JPEG quality 1..100. Default 90.'),
      })
      .prefault({})
      .describe('How frames are encoded in the store.'),
    maxPendingCaptures: z
      .int()
      .min(1)
      .max(64)
      .default(4)
      .describe(
        'Captures being encoded and written at once; more are dropped and counted, never queued without bound. Default 4.',
      ),
  })
  .describe(
    'The field data loop: capture frames the model may have got wrong into a bounded on-disk store (kestrel data export).',
  );

export type Capture = z.infer<typeof captureSchema>;
export type CaptureTriggers = z.infer<typeof captureTriggersSchema>;
