/**
 * The model manifest: everything Kestrel needs to load a detector and read
 * its output. It sits inline in a mission or in a `model.yaml` beside the
 * model file. Every field says its unit and default; `modelManifestJsonSchema()`
 * exports the same text for editors and docs.
 *
 * This file is pure (no fs): `manifest-file.ts` reads manifests from disk.
 *
 * @example
 * ```yaml
 * path: yolov8n.onnx            # relative to this file
 * sha256: 3f5c…                 # refuse to load anything else
 * executionProviders: [tensorrt, cuda, cpu]
 * output: { kind: yolov8 }      # class names come from the ONNX metadata
 * scoreThreshold: 0.3
 * classes: { person: { scoreThreshold: 0.5 } }
 * ```
 */
import { z } from 'zod';
import { ModelManifestError } from './errors.js';

export const EXECUTION_PROVIDERS = ['tensorrt', 'cuda', 'coreml', 'dml', 'webgpu', 'xnnpack', 'cpu'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];

const unit = z.number().min(0).max(1);

export const inputSpecSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe('Name of the model input tensor. Default: the model’s first input.'),
    width: z
      .int()
      .positive()
      .optional()
      .describe('Model input width in pixels. Default: read from the model’s input shape (must then be static).'),
    height: z
      .int()
      .positive()
      .optional()
      .describe('Model input height in pixels. Default: read from the model’s input shape (must then be static).'),
    layout: z
      .enum(['NCHW', 'NHWC'])
      .default('NCHW')
      .describe('Tensor layout of the input. Default NCHW (PyTorch/ONNX exports); NHWC for most TF exports.'),
    colour: z
      .enum(['rgb', 'bgr'])
      .default('rgb')
      .describe('Channel order the model expects. Default rgb (Ultralytics).'),
    resize: z
      .enum(['letterbox', 'stretch'])
      .default('letterbox')
      .describe(
        'letterbox: keep aspect ratio and pad (Ultralytics, YOLOX); stretch: scale each axis to fit. Default letterbox.',
      ),
    padValue: z
      .int()
      .min(0)
      .max(255)
      .default(114)
      .describe('Grey level (0..255, before normalisation) of letterbox padding. Default 114 (Ultralytics).'),
    scale: z
      .number()
      .positive()
      .default(1 / 255)
      .describe('Factor applied to 0..255 pixel values before mean/std. Default 1/255 (inputs in 0..1).'),
    mean: z
      .tuple([z.number(), z.number(), z.number()])
      .default([0, 0, 0])
      .describe('Per-channel mean subtracted after `scale`, in model channel order. Default [0, 0, 0].'),
    std: z
      .tuple([z.number().positive(), z.number().positive(), z.number().positive()])
      .default([1, 1, 1])
      .describe('Per-channel divisor applied after the mean, in model channel order. Default [1, 1, 1].'),
  })
  .describe('How an image becomes the model input tensor: out = (pixel * scale - mean) / std.');

/**
 * Output decoding. `kind` picks a registered decoder; the other keys are that
 * decoder's options and are checked by the decoder's own schema when the
 * detector is built (so integrators' decoders validate their options too).
 */
export const outputSpecSchema = z
  .looseObject({
    kind: z
      .string()
      .min(1)
      .default('yolov8')
      .describe(
        'Registered decoder for the output layout. Built in: yolov8 (Ultralytics YOLOv8/YOLO11 [1, 4+nc, N]), ' +
          'yolov5 ([1, N, 5+nc] with objectness), yolox (raw grid [1, N, 5+nc] needing the stride decode), ' +
          'end-to-end ([1, N, 6] x1 y1 x2 y2 score class; NMS inside the model), classifier ([1, nc]). Default yolov8.',
      ),
    tensor: z.string().min(1).optional().describe('Name of the output tensor to decode. Default: the first output.'),
  })
  .describe('Output layout; extra keys are options of the chosen decoder.');

export const classOverrideSchema = z.strictObject({
  scoreThreshold: unit.optional().describe('Minimum score (0..1) for this class. Default: the model’s scoreThreshold.'),
  iouThreshold: unit.optional().describe('NMS IoU (0..1) for this class. Default: the model’s iouThreshold.'),
  enabled: z.boolean().default(true).describe('false drops this class entirely. Default true.'),
});

/**
 * Score calibration is the model's: one model's true objects score 0.7, another's 0.35. The tracker's
 * score thresholds that a model was flown with travel with it, so swapping the manifest brings them.
 */
export const trackerHintSchema = z
  .strictObject({
    highScoreThreshold: unit
      .optional()
      .describe("Tracker's first-association score (0..1) for this model. Default: the tracker's own (0.5)."),
    newTrackThreshold: unit
      .optional()
      .describe("Score (0..1) a detection of this model needs to start a track. Default: the tracker's own (0.6)."),
  })
  .describe(
    "Tracker score thresholds suited to this model's scores; a mission pipeline's tracker settings override them.",
  );

export const modelManifestSchema = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .describe('Model file, relative to the manifest (or the mission) file, or absolute. Required.'),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'sha256 must be 64 hex digits')
      .transform((s) => s.toLowerCase())
      .optional()
      .describe(
        'SHA-256 of the model file, hex. When set, a file with any other digest refuses to load. Default: unchecked (logged as a warning).',
      ),
    backend: z
      .union([
        z.enum(['onnx', 'tfjs']),
        // An integrator's own runtime, added with `registerBackend` before the model loads.
        z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'backend names are lower case: letters, digits, _ . -'),
      ])
      .default('onnx')
      .describe(
        'Inference backend: onnx (onnxruntime-node), tfjs, or the name of a backend registered through the SDK (registerBackend). Default onnx.',
      ),
    executionProviders: z
      .array(z.enum(EXECUTION_PROVIDERS))
      .min(1)
      .default(['cuda', 'cpu'])
      .describe(
        'Execution providers to try, best first; each that fails is skipped with a logged reason. Default [cuda, cpu].',
      ),
    intraOpThreads: z
      .int()
      .min(0)
      .default(0)
      .describe('Threads inside one operator (onnxruntime intraOpNumThreads). 0 = one per physical core. Default 0.'),
    allowSpinning: z
      .boolean()
      .default(false)
      .describe(
        'Let onnxruntime worker threads busy-wait between operators. Default false: on a small shared CPU the ' +
          'spinning threads steal the cores that decode the next frame and run the rest of the robot.',
      ),
    memoryPattern: z
      .boolean()
      .default(true)
      .describe(
        "onnx backend: let onnxruntime plan one block for all of a run's activations (enableMemPattern) besides its " +
          'memory arena. Default true. false: the arena alone serves them; for a 640 x 480 detector that holds 39 MB ' +
          'less (91 against 130 MB after its first runs) at the same inference time.',
      ),
    dynamicBlockBase: z
      .int()
      .min(0)
      .max(64)
      .default(0)
      .describe(
        "onnx backend: onnxruntime's session.dynamic_block_base. 0 (default): each operator's work is cut into one " +
          'fixed share per thread. N > 0: into shrinking blocks, starting at 1/(threads x N) of it, that idle threads ' +
          "take as they finish, so a thread the OS preempts (for the next frame's decode) delays the operator less.",
      ),
    thread: z
      .enum(['worker', 'main'])
      .default('worker')
      .describe(
        "onnx backend: where session.run runs. `worker` (default): a thread of the model's own, so an inference " +
          'never stalls the event loop (guard, telemetry, ROS callbacks) and the next frame decodes meanwhile. ' +
          '`main`: on the event loop, which onnxruntime-node blocks for the whole run; saves one input copy.',
      ),
    graphOptimizationLevel: z
      .enum(['disabled', 'basic', 'extended', 'all'])
      .default('all')
      .describe('onnxruntime graph optimisation level. Default all.'),
    optimizedModelCachePath: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Where onnxruntime writes the optimised graph (relative like `path`), to inspect or reuse. Default: none.',
      ),
    warmupRuns: z
      .int()
      .min(0)
      .max(100)
      .default(2)
      .describe('Inference runs on a blank input before the model is declared ready. Default 2.'),
    runTimeoutMs: z
      .int()
      .min(0)
      .default(0)
      .describe(
        'A run that takes longer is a hung inference: its frame fails (perception.inference_failed), the inference ' +
          'thread is stopped and the model loaded again. 0 (default): 20 times the running average of a run, at ' +
          "least 2000 ms (60 s for a load's first frame). Watched only where the run leaves the event loop free " +
          '(onnx, thread: worker).',
      ),
    input: inputSpecSchema.prefault({}),
    output: outputSpecSchema.prefault({}),
    classNames: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Class names by class index. Default: the ONNX metadata_props `names` (Ultralytics exports), else `class_<i>`.',
      ),
    scoreThreshold: unit.default(0.25).describe('Minimum detection score (0..1). Default 0.25.'),
    iouThreshold: unit
      .default(0.45)
      .describe(
        'NMS: a box overlapping a better one of its class by more than this IoU (0..1) is dropped. Default 0.45.',
      ),
    classAgnosticNms: z.boolean().default(false).describe('true: NMS across classes. Default false (per class).'),
    maxDetections: z
      .int()
      .positive()
      .max(100_000)
      .default(300)
      .describe('Most detections per frame kept after NMS. Default 300.'),
    classes: z
      .record(z.string(), classOverrideSchema)
      .default({})
      .describe('Per-class overrides keyed by class name (e.g. `person: { scoreThreshold: 0.5 }`). Default none.'),
    tracker: trackerHintSchema.optional(),
  })
  .describe('A detection model and how to run it.');

export type ModelManifestInput = z.input<typeof modelManifestSchema>;
export type ModelManifest = z.output<typeof modelManifestSchema>;
export type InputSpec = z.output<typeof inputSpecSchema>;
export type OutputSpec = z.output<typeof outputSpecSchema>;
export type TrackerHint = z.output<typeof trackerHintSchema>;

/**
 * Validates a manifest. Throws `ModelManifestError` (`model.manifest_invalid`)
 * listing every issue with its path, so one run shows all mistakes.
 */
export function parseModelManifest(value: unknown, source = 'manifest'): ModelManifest {
  const result = modelManifestSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    code: i.code,
    path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
    message: i.message,
  }));
  const lines = issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
  throw new ModelManifestError('model.manifest_invalid', `${source} is not a valid model manifest:\n${lines}`, {
    issues,
  });
}

/** JSON Schema of the manifest, descriptions included, for editors and docs. */
export function modelManifestJsonSchema(): unknown {
  return z.toJSONSchema(modelManifestSchema, { io: 'input' });
}
