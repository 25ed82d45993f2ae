import { z } from 'zod';
import { idSchema } from './ids.js';

/**
 * A model the mission loads. The manifest can be inline or in a `model.yaml`
 * beside the model file (`manifest: path`). Perception reads the fields it
 * needs; this schema is what an operator writes.
 */
export const executionProviderSchema = z
  .enum(['tensorrt', 'cuda', 'coreml', 'dml', 'xnnpack', 'cpu', 'wasm', 'webgl', 'tensorflow'])
  .describe('Execution provider: tensorrt, cuda, cpu (onnx); tensorflow, wasm (tfjs).');

export const outputLayoutSchema = z
  .enum(['yolov8', 'yolox', 'nanodet', 'ssd', 'segmentation', 'classification'])
  .describe(
    'Output tensor layout: yolov8 = Ultralytics [1, 4+nc, N]; yolox/nanodet = [1, N, 5+nc] with objectness; ssd = boxes + scores; segmentation; classification.',
  );

const sha256Schema = z.string().regex(/^[a-f0-9]{64}$/, 'must be 64 lowercase hex digits');

const thresholdsSchema = z.strictObject({
  score: z
    .number()
    .min(0)
    .max(1)
    .default(0.25)
    .describe('Minimum class score to keep a detection, 0..1. Default 0.25.'),
  iou: z
    .number()
    .min(0)
    .max(1)
    .default(0.45)
    .describe('IoU above which NMS suppresses the weaker box, 0..1. Default 0.45.'),
});

const inlineModelFields = {
  task: z
    .enum(['detect', 'segment', 'classify', 'language'])
    .default('detect')
    .describe('What the model does. Default detect.'),
  path: z
    .string()
    .min(1)
    .optional()
    .describe('Model file (.onnx, model.json for tfjs, .gguf), relative to the mission file. Either path or manifest.'),
  manifest: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Path of a model.yaml manifest (these same fields), relative to the mission file. Either path or manifest.',
    ),
  sha256: sha256Schema.optional().describe('Expected sha256 of the model file; a mismatch refuses to load.'),
  backend: z.enum(['onnx', 'tfjs', 'llama']).default('onnx').describe('Inference backend. Default onnx.'),
  executionProviders: z
    .array(executionProviderSchema)
    .min(1)
    .default(['cuda', 'cpu'])
    .describe('Providers to try in order; the first that loads is used. Default [cuda, cpu].'),
  input: z
    .strictObject({
      name: z.string().optional().describe("Input tensor name. Default: the model's first input."),
      width: z.number().int().positive().describe('Input width, px.'),
      height: z.number().int().positive().describe('Input height, px.'),
      layout: z.enum(['nchw', 'nhwc']).default('nchw').describe('Tensor layout. Default nchw.'),
      colour: z.enum(['rgb', 'bgr']).default('rgb').describe('Channel order. Default rgb.'),
      scale: z
        .number()
        .positive()
        .default(1 / 255)
        .describe('Pixel values are multiplied by this first. Default 1/255.'),
      mean: z
        .tuple([z.number(), z.number(), z.number()])
        .default([0, 0, 0])
        .describe('Subtracted per channel after scaling.'),
      std: z.tuple([z.number(), z.number(), z.number()]).default([1, 1, 1]).describe('Divided per channel after mean.'),
    })
    .optional()
    .describe('Input geometry and normalisation (vision models).'),
  output: z
    .strictObject({
      layout: outputLayoutSchema,
      name: z.string().optional().describe("Output tensor name. Default: the model's first output."),
    })
    .optional(),
  classes: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      'Class names in output order. Default: read from the ONNX metadata_props (Ultralytics exports carry them).',
    ),
  thresholds: thresholdsSchema.default({ score: 0.25, iou: 0.45 }),
  classOverrides: z
    .record(z.string(), thresholdsSchema.partial())
    .optional()
    .describe('Per-class thresholds, by class name: { person: { score: 0.4 } }.'),
  threads: z.number().int().positive().optional().describe('CPU threads for inference. Default: physical cores.'),
};

export const modelSchema = z
  .strictObject({ id: idSchema.describe('Model id, referenced by pipelines.'), ...inlineModelFields })
  .superRefine((m, ctx) => {
    if ((m.path === undefined) === (m.manifest === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['path'],
        message: 'give either path (inline model) or manifest (model.yaml), not both or neither',
      });
    }
  });

export type ModelEntry = z.infer<typeof modelSchema>;
