import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, KERNELS } from '../../tools/wasm/build.js';

const root = join(import.meta.dirname, '../..');

describe('tools/wasm/build.ts', () => {
  it('has compiled every checked-in WebAssembly module from its current text source', async () => {
    for (const kernel of KERNELS) {
      const current = await readFile(join(root, kernel.out), 'utf8');
      expect(current, `${kernel.out} is stale: npm run build:wasm`).toBe(await generate(kernel));
    }
  });
});
