import { defineConfig } from 'vitest/config';

// The end-to-end suite: one real stack (API, worker, `next start`) and one browser per file, so files run
// one at a time; the stack's start (including a `next build` when the sources changed) counts against the hook.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
