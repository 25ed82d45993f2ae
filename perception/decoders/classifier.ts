/**
 * Image classifiers: output `[1, nc]` (or `[nc]`). Each of the top-k classes
 * above threshold becomes a detection whose box is the whole image, so a
 * classifier feeds the same pipeline, CLI and telemetry as a detector.
 */
import { z } from 'zod';
import { DecoderError } from '../errors.js';
import type { OutputTensor } from '../backend.js';
import type { Candidates } from './candidates.js';
import { classThreshold, type DecodeContext, type Decoder, type DecoderFactory } from './decoder.js';

const optionsSchema = z.strictObject({
  softmax: z
    .boolean()
    .default(false)
    .describe(
      'Apply softmax to the output first (for models that emit logits). Default false (already probabilities).',
    ),
  topK: z.int().positive().default(1).describe('Most classes reported per image. Default 1.'),
});

class ClassifierDecoder implements Decoder {
  readonly kind = 'classifier';
  readonly needsNms = false;
  private probs = new Float32Array(0);

  constructor(
    private readonly softmax: boolean,
    private readonly topK: number,
  ) {}

  numClasses(dims: readonly number[]): number | undefined {
    return dims[dims.length - 1];
  }

  decode(output: OutputTensor, ctx: DecodeContext, out: Candidates): void {
    const { data, dims } = output;
    const nc = dims[dims.length - 1] ?? 0;
    if (dims.length > 2 || (dims.length === 2 && dims[0] !== 1) || nc < 1) {
      throw new DecoderError('perception.output_shape', `classifier expects [1, nc], got [${dims.join(', ')}]`);
    }
    if (this.probs.length !== nc) this.probs = new Float32Array(nc);
    const p = this.probs;
    p.set(data.subarray(0, nc));
    if (this.softmax) {
      let max = -Infinity;
      for (let i = 0; i < nc; i++) max = Math.max(max, p[i] ?? 0);
      let sum = 0;
      for (let i = 0; i < nc; i++) {
        const e = Math.exp((p[i] ?? 0) - max);
        p[i] = e;
        sum += e;
      }
      for (let i = 0; i < nc; i++) p[i] = (p[i] ?? 0) / sum;
    }
    // topK is small: repeated max scans beat a sort and allocate nothing.
    for (let k = 0; k < this.topK; k++) {
      let best = -1;
      let bestScore = -Infinity;
      for (let i = 0; i < nc; i++) {
        const s = p[i] ?? 0;
        if (s > bestScore) {
          bestScore = s;
          best = i;
        }
      }
      if (best < 0 || bestScore < ctx.minScore) break;
      p[best] = -Infinity;
      if (bestScore < classThreshold(ctx, best)) continue;
      out.push(0, 0, ctx.inputWidth, ctx.inputHeight, bestScore, best);
    }
  }
}

export const classifierDecoder: DecoderFactory<z.output<typeof optionsSchema>> = {
  kind: 'classifier',
  description: 'Image classifier [1, nc]: top-k classes, each as a whole-image box',
  optionsSchema,
  create: (options) => new ClassifierDecoder(options.softmax, options.topK),
};
