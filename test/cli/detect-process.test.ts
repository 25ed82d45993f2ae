import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { kestrel } from './kestrel-process.js';

describe('kestrel detect as a process', () => {
  // onnxruntime regex-parses the whole command line when it builds its environment, recursing
  // about 350 bytes of stack per byte: in the 4 MiB inference thread, a few hundred image paths
  // (12 KB or more) crashed the process with SIGSEGV before the first image (ort-environment.ts).
  it('runs on many images named on one long command line (24 KB)', async () => {
    const dir = mkdtempSync(join(tmpdir(), `kestrel-detect-${'x'.repeat(120)}-`));
    const image = join(dir, 'frame.jpg');
    await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 40, g: 90, b: 40 } } })
      .jpeg()
      .toFile(image);
    const copies = Math.ceil(24_000 / (image.length + 1));
    const r = await kestrel([
      'detect',
      '-m',
      'models/kestrel-sim-det.yaml',
      '--json',
      ...Array<string>(copies).fill(image),
    ]);
    expect(r.signal, 'the process was killed by a signal').toBeNull();
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { images: unknown[] }).images).toHaveLength(copies);
  }, 60_000);
});
