/**
 * Models that end in NMS (Ultralytics `nms=True`, YOLOv10, YOLO26 end-to-end
 * exports): output `[1, N, 6]`, rows x1 y1 x2 y2 score class (model-input
 * pixels). Padding rows carry score 0 and fall under any threshold.
 */
import { z } from 'zod';
import { DecoderError } from '../errors.js';
import type { OutputTensor } from '../backend.js';
import type { Candidates } from './candidates.js';
import { classThreshold, type DecodeContext, type Decoder, type DecoderFactory } from './decoder.js';

const optionsSchema = z.strictObject({
  boxFormat: z
    .enum(['xyxy', 'cxcywh'])
    .default('xyxy')
    .describe('How the first four values of a row encode the box. Default xyxy.'),
});

class EndToEndDecoder implements Decoder {
  readonly kind = 'end-to-end';
  readonly needsNms = false;

  constructor(private readonly boxFormat: 'xyxy' | 'cxcywh') {}

  numClasses(): number | undefined {
    return undefined;
  }

  decode(output: OutputTensor, ctx: DecodeContext, out: Candidates): void {
    const { data, dims } = output;
    if (dims.length !== 3 || dims[0] !== 1 || dims[2] !== 6) {
      throw new DecoderError('perception.output_shape', `end-to-end expects [1, N, 6], got [${dims.join(', ')}]`);
    }
    const n = dims[1] ?? 0;
    for (let i = 0; i < n; i++) {
      const r = i * 6;
      const s = data[r + 4] ?? 0;
      if (s < ctx.minScore) continue;
      const c = Math.round(data[r + 5] ?? 0);
      if (c < 0 || s < classThreshold(ctx, c)) continue;
      const a = data[r] ?? 0;
      const b = data[r + 1] ?? 0;
      const p = data[r + 2] ?? 0;
      const q = data[r + 3] ?? 0;
      if (this.boxFormat === 'xyxy') out.push(a, b, p, q, s, c);
      else out.push(a - p / 2, b - q / 2, a + p / 2, b + q / 2, s, c);
    }
  }
}

export const endToEndDecoder: DecoderFactory<z.output<typeof optionsSchema>> = {
  kind: 'end-to-end',
  description: 'NMS inside the model [1, N, 6]: x1 y1 x2 y2 score class',
  optionsSchema,
  create: (options) => new EndToEndDecoder(options.boxFormat),
};
