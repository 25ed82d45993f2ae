/**
 * YOLOv5 / YOLOv7 / decoded YOLOX exports: output `[1, N, 5+nc]`, one row per
 * anchor: cx, cy, w, h (model-input pixels), objectness, class scores.
 * Score = objectness × class score, as in the reference `non_max_suppression`.
 */
import { z } from 'zod';
import { DecoderError } from '../errors.js';
import type { OutputTensor } from '../backend.js';
import type { Candidates } from './candidates.js';
import { classThreshold, type DecodeContext, type Decoder, type DecoderFactory } from './decoder.js';

const optionsSchema = z.strictObject({});

/** Shared row walk for objectness layouts; `box` turns a row's first four values into xyxy. */
export function decodeObjectnessRows(
  data: Float32Array,
  n: number,
  stride: number,
  ctx: DecodeContext,
  out: Candidates,
  box: (row: number, anchor: number, xyxy: Float64Array) => void,
): void {
  const nc = stride - 5;
  const xyxy = new Float64Array(4);
  const minScore = ctx.minScore;
  for (let i = 0; i < n; i++) {
    const r = i * stride;
    const obj = data[r + 4] ?? 0;
    // Class scores are ≤ 1, so a low objectness rules the anchor out before the class loop.
    if (obj < minScore) continue;
    let s = -Infinity;
    let c = 0;
    for (let k = 0; k < nc; k++) {
      const v = data[r + 5 + k] ?? 0;
      if (v > s) {
        s = v;
        c = k;
      }
    }
    s *= obj;
    if (s < minScore || s < classThreshold(ctx, c)) continue;
    box(r, i, xyxy);
    out.push(xyxy[0] ?? 0, xyxy[1] ?? 0, xyxy[2] ?? 0, xyxy[3] ?? 0, s, c);
  }
}

export function checkRows(kind: string, dims: readonly number[]): { n: number; stride: number } {
  if (dims.length !== 3 || dims[0] !== 1 || (dims[2] ?? 0) < 6) {
    throw new DecoderError('perception.output_shape', `${kind} expects [1, N, 5+nc], got [${dims.join(', ')}]`);
  }
  return { n: dims[1] ?? 0, stride: dims[2] ?? 0 };
}

class Yolov5Decoder implements Decoder {
  readonly kind = 'yolov5';
  readonly needsNms = true;

  numClasses(dims: readonly number[]): number | undefined {
    const c = (dims[2] ?? 0) - 5;
    return c > 0 ? c : undefined;
  }

  decode(output: OutputTensor, ctx: DecodeContext, out: Candidates): void {
    const { n, stride } = checkRows(this.kind, output.dims);
    const data = output.data;
    decodeObjectnessRows(data, n, stride, ctx, out, (r, _i, xyxy) => {
      const cx = data[r] ?? 0;
      const cy = data[r + 1] ?? 0;
      const hw = (data[r + 2] ?? 0) / 2;
      const hh = (data[r + 3] ?? 0) / 2;
      xyxy[0] = cx - hw;
      xyxy[1] = cy - hh;
      xyxy[2] = cx + hw;
      xyxy[3] = cy + hh;
    });
  }
}

export const yolov5Decoder: DecoderFactory<z.output<typeof optionsSchema>> = {
  kind: 'yolov5',
  description: 'YOLOv5/v7 [1, N, 5+nc]: cx cy w h, objectness, class scores; score = obj × cls',
  optionsSchema,
  create: () => new Yolov5Decoder(),
};
