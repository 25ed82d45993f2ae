import { describe, expect, it } from 'vitest';
import { Candidates, createDecoder } from '../../../perception/index.js';
import type { DecodeContext } from '../../../perception/index.js';
import { noiseBytes } from '../fixtures.js';

/** A `[1, 4+nc, n]` Ultralytics output: boxes from the anchor index, class scores from noise quantised to 1/8 (many ties). */
function output(nc: number, n: number, seed: number): { data: Float32Array; dims: number[] } {
  const data = new Float32Array((4 + nc) * n);
  const bytes = noiseBytes(nc * n, seed);
  for (let i = 0; i < n; i++) {
    data[i] = 10 + i;
    data[n + i] = 20 + i;
    data[2 * n + i] = 4;
    data[3 * n + i] = 6;
  }
  for (let k = 0; k < nc * n; k++) data[4 * n + k] = ((bytes[k] ?? 0) >> 5) / 8;
  return { data, dims: [1, 4 + nc, n] };
}

/** Each anchor's best class the plain way: the first class with the highest score. */
function reference(data: Float32Array, nc: number, n: number): { score: number; cls: number }[] {
  return Array.from({ length: n }, (_, i) => {
    let cls = 0;
    for (let c = 1; c < nc; c++) if ((data[(4 + c) * n + i] ?? 0) > (data[(4 + cls) * n + i] ?? 0)) cls = c;
    return { score: data[(4 + cls) * n + i] ?? 0, cls };
  });
}

describe('yolov8 decoder', () => {
  it('keeps each anchor at its best class, the first of equal scores, for any class count', () => {
    // 1-3 classes: no four-row pass; 5, 8 and 80 (COCO): four-row passes plus 0-3 rows left over.
    for (const nc of [1, 2, 3, 5, 8, 80]) {
      const n = 128; // more anchors than rows: the channel-major layout
      const { data, dims } = output(nc, n, nc);
      const ctx: DecodeContext = { inputWidth: 640, inputHeight: 640, minScore: 0, classMinScore: new Float32Array(0) };
      const out = new Candidates(8);
      createDecoder({ kind: 'yolov8' }).decode({ data, dims }, ctx, out);
      expect(out.count, `nc ${nc}`).toBe(n);
      const expected = reference(data, nc, n);
      for (let i = 0; i < n; i++) {
        expect([out.classes[i], out.scores[i]], `nc ${nc}, anchor ${i}`).toEqual([
          expected[i]?.cls,
          expected[i]?.score,
        ]);
        expect(Array.from(out.boxes.subarray(i * 4, i * 4 + 4))).toEqual([8 + i, 17 + i, 12 + i, 23 + i]);
      }
    }
  });
});
