import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('src/graphql-env.d.ts', () => {
  it('matches what gql.tada generates from the committed SDL (run `pnpm --filter @pakati/client gql:write`)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pakati-client-gql-'));
    try {
      const fresh = path.join(dir, 'graphql-env.d.ts');
      await promisify(execFile)(
        process.execPath,
        [path.join(packageRoot, 'node_modules/gql.tada/bin/cli.js'), 'generate', 'output', '--output', fresh],
        { cwd: packageRoot },
      );
      const committed = await readFile(path.join(packageRoot, 'src/graphql-env.d.ts'), 'utf8');
      expect(committed === (await readFile(fresh, 'utf8'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
