import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores here: keep worker count small so native code (onnxruntime, sharp) is not starved.
    maxWorkers: 2,
  },
});
