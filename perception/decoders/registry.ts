/**
 * Decoders by `output.kind`. The built-ins register here; integrators add
 * their own layouts with `registerDecoder` before building a detector.
 */
import { DecoderError } from '../errors.js';
import type { OutputSpec } from '../manifest.js';
import { classifierDecoder } from './classifier.js';
import type { Decoder, DecoderFactory } from './decoder.js';
import { endToEndDecoder } from './end-to-end.js';
import { yolov5Decoder } from './yolov5.js';
import { yolov8Decoder } from './yolov8.js';
import { yoloxDecoder } from './yolox.js';

const factories = new Map<string, DecoderFactory>();

/**
 * Adds (or replaces) the decoder for manifests whose `output.kind` is `factory.kind`.
 *
 * @example
 * registerDecoder({
 *   kind: 'my-ssd',
 *   description: 'boxes [1, N, 4] normalised 0..1 + scores [1, N, nc]',
 *   optionsSchema: z.strictObject({}),
 *   create: () => ({ kind: 'my-ssd', needsNms: true, numClasses: () => undefined, decode(output, ctx, out) { … } }),
 * });
 */
export function registerDecoder<Options>(factory: DecoderFactory<Options>): void {
  factories.set(factory.kind, factory);
}

export function registeredDecoders(): readonly DecoderFactory[] {
  return [...factories.values()];
}

/** Builds the decoder a manifest's `output` asks for, validating its options. */
export function createDecoder(output: OutputSpec): Decoder {
  const factory = factories.get(output.kind);
  if (factory === undefined) {
    throw new DecoderError(
      'perception.decoder_unknown',
      `no decoder registered for output kind "${output.kind}" (registered: ${[...factories.keys()].join(', ')})`,
      { issues: [{ code: 'decoder_unknown', path: ['output', 'kind'], message: `unknown kind ${output.kind}` }] },
    );
  }
  const { kind: _kind, tensor: _tensor, ...options } = output;
  const parsed = factory.optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      code: i.code,
      path: ['output', ...i.path.filter((p): p is string | number => typeof p !== 'symbol')],
      message: i.message,
    }));
    throw new DecoderError(
      'perception.decoder_options',
      `invalid options for decoder ${output.kind}: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  return factory.create(parsed.data);
}

for (const f of [yolov8Decoder, yolov5Decoder, yoloxDecoder, endToEndDecoder, classifierDecoder]) {
  registerDecoder(f as DecoderFactory);
}
