/**
 * YOLOX exported with `decode_in_inference=False` (the default ONNX export):
 * output `[1, N, 5+nc]` where the box is still in grid units. Anchors are the
 * cells of each stride's grid, row-major, strides in order:
 *   cx = (dx + gx) · s,  cy = (dy + gy) · s,  w = exp(dw) · s,  h = exp(dh) · s
 * Objectness and class scores are already sigmoid.
 * (Megvii YOLOX `yolox/models/yolo_head.py` `decode_outputs`.)
 */
import { z } from 'zod';
import { DecoderError } from '../errors.js';
import type { OutputTensor } from '../backend.js';
import type { Candidates } from './candidates.js';
import { type DecodeContext, type Decoder, type DecoderFactory } from './decoder.js';
import { checkRows, decodeObjectnessRows } from './yolov5.js';

const optionsSchema = z.strictObject({
  strides: z
    .array(z.int().positive())
    .min(1)
    .default([8, 16, 32])
    .describe('Feature-map strides in output order, pixels. Default [8, 16, 32] (YOLOX P3–P5).'),
});

class YoloxDecoder implements Decoder {
  readonly kind = 'yolox';
  readonly needsNms = true;
  // Grid x, y and stride per anchor, computed once per input size.
  private grid = new Float32Array(0);
  private gridKey = '';

  constructor(private readonly strides: readonly number[]) {}

  numClasses(dims: readonly number[]): number | undefined {
    const c = (dims[2] ?? 0) - 5;
    return c > 0 ? c : undefined;
  }

  private buildGrid(width: number, height: number, n: number): Float32Array {
    const key = `${width}x${height}x${n}`;
    if (key === this.gridKey) return this.grid;
    let total = 0;
    for (const s of this.strides) total += Math.ceil(height / s) * Math.ceil(width / s);
    if (total !== n) {
      throw new DecoderError(
        'perception.output_shape',
        `yolox: strides [${this.strides.join(', ')}] on a ${width}x${height} input give ${total} anchors, output has ${n}`,
        {
          issues: [
            {
              code: 'anchor_count',
              path: ['output', 'strides'],
              message: `expected ${n} anchors, strides give ${total}`,
            },
          ],
        },
      );
    }
    const grid = new Float32Array(n * 3);
    let k = 0;
    for (const s of this.strides) {
      const gw = Math.ceil(width / s);
      const gh = Math.ceil(height / s);
      for (let gy = 0; gy < gh; gy++) {
        for (let gx = 0; gx < gw; gx++, k += 3) {
          grid[k] = gx;
          grid[k + 1] = gy;
          grid[k + 2] = s;
        }
      }
    }
    this.grid = grid;
    this.gridKey = key;
    return grid;
  }

  decode(output: OutputTensor, ctx: DecodeContext, out: Candidates): void {
    const { n, stride } = checkRows(this.kind, output.dims);
    const grid = this.buildGrid(ctx.inputWidth, ctx.inputHeight, n);
    const data = output.data;
    decodeObjectnessRows(data, n, stride, ctx, out, (r, i, xyxy) => {
      const g = i * 3;
      const s = grid[g + 2] ?? 1;
      const cx = ((data[r] ?? 0) + (grid[g] ?? 0)) * s;
      const cy = ((data[r + 1] ?? 0) + (grid[g + 1] ?? 0)) * s;
      const hw = (Math.exp(data[r + 2] ?? 0) * s) / 2;
      const hh = (Math.exp(data[r + 3] ?? 0) * s) / 2;
      xyxy[0] = cx - hw;
      xyxy[1] = cy - hh;
      xyxy[2] = cx + hw;
      xyxy[3] = cy + hh;
    });
  }
}

export const yoloxDecoder: DecoderFactory<z.output<typeof optionsSchema>> = {
  kind: 'yolox',
  description: 'YOLOX raw grid [1, N, 5+nc]: dx dy log-w log-h per stride cell, objectness, class scores',
  optionsSchema,
  create: (options) => new YoloxDecoder(options.strides),
};
