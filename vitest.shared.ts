import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// graphql 17 publishes a separate `development` build; Vite picks it for our sources while Node loads the
// regular one for Pothos and graphql-yoga, and two graphql realms cannot share a schema. Pin one file.
const require = createRequire(path.join(import.meta.dirname, 'packages/schema/package.json'));
const graphqlEntry = path.join(path.dirname(require.resolve('graphql')), 'index.mjs');

export const sharedConfig = defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
