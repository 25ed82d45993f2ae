/**
 * The decoder contract: one output tensor in, candidate boxes in model-input
 * pixels out. Decoders are pure (no I/O) and keep their scratch buffers
 * between frames.
 */
import type { z } from 'zod';
import type { OutputTensor } from '../backend.js';
import type { Candidates } from './candidates.js';

export interface DecodeContext {
  /** Model input size, pixels. */
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** Lowest score any class may pass with: decoders skip anything under it before looking up the class. */
  readonly minScore: number;
  /** Minimum score per class id; `Infinity` disables a class. Ids past its end use `minScore`. */
  readonly classMinScore: Float32Array;
}

export interface Decoder {
  readonly kind: string;
  /** false when the model already ran NMS (end-to-end exports) or emits no overlapping boxes (classifiers). */
  readonly needsNms: boolean;
  /** Class count implied by an output shape, or undefined when the shape does not say. */
  numClasses(dims: readonly number[]): number | undefined;
  /** Appends candidates above threshold to `out` (already reset). Throws `DecoderError` on a shape it cannot read. */
  decode(output: OutputTensor, ctx: DecodeContext, out: Candidates): void;
}

/** What `registerDecoder` takes: a named, documented decoder with its options schema. */
export interface DecoderFactory<Options = unknown> {
  readonly kind: string;
  /** One line for docs and error messages: the layout it reads. */
  readonly description: string;
  /** Validates the manifest's `output` object (minus `kind` and `tensor`). */
  readonly optionsSchema: z.ZodType<Options>;
  create(options: Options): Decoder;
}

/** Score threshold for class `c` under `ctx`. */
export function classThreshold(ctx: DecodeContext, c: number): number {
  return c < ctx.classMinScore.length ? (ctx.classMinScore[c] ?? ctx.minScore) : ctx.minScore;
}
