import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Stack, startStack } from '@pakati/api/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pakati } from './cli-process.ts';

let stack: Stack;
let dir: string;
let db: Record<string, string>;
let api: Record<string, string>;
beforeAll(async () => {
  stack = await startStack({ worker: false });
  dir = await mkdtemp(path.join(tmpdir(), 'pakati-cli-operator-'));
  db = { DATABASE_URL: stack.env.DATABASE_URL! };
  api = { PAKATI_API_URL: `${stack.api.url}/graphql` };
});
afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const prefixOf = (key: string) => key.match(/^pk_([^_]+)_/)![1]!;

describe('operator commands', { timeout: 120_000 }, () => {
  it('creates an organization, sets its tier, and mints a key that the API accepts', async () => {
    expect(await pakati(['migrate'], db)).toMatchObject({ code: 0, stdout: 'migrations applied\n' });

    const created = await pakati(['org', 'create', 'acme'], db);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^organization acme \([0-9a-f-]{36}\)\n$/);
    expect(await pakati(['org', 'create', 'acme'], db)).toMatchObject({
      code: 1,
      stderr: 'error: ALREADY_EXISTS: an organization named "acme" exists\n',
    });
    expect(await pakati(['org', 'tier', 'acme', 'professional'], db)).toMatchObject({
      code: 0,
      stdout: 'organization acme is PROFESSIONAL\n',
    });
    const badTier = await pakati(['org', 'tier', 'acme', 'platinum'], db);
    expect(badTier.code).toBe(1);
    expect(badTier.stderr).toMatch(
      /^error: BAD_USER_INPUT: tier must be one of STARTER, PROFESSIONAL, ENTERPRISE\n$/,
    );

    const minted = await pakati(['admin', 'key', 'create', 'acme', 'ci'], db);
    expect(minted.code).toBe(0);
    const key = minted.stdout.split('\n')[1]!;
    expect(key).toMatch(/^pk_[^_]+_\S+$/);

    const listed = await pakati(['keys', 'list'], { ...api, PAKATI_API_KEY: key });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`^\\S+  ${prefixOf(key)}  ci  created \\S+  .* active \\(this key\\)$`, 'm'),
    );

    const revoked = await pakati(['admin', 'key', 'revoke', prefixOf(key)], db);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${prefixOf(key)}\n` });
    const refused = await pakati(['keys', 'list'], { ...api, PAKATI_API_KEY: key });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: UNAUTHENTICATED: /);
    const again = await pakati(['admin', 'key', 'revoke', prefixOf(key)], db);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: NOT_FOUND: no active key with prefix ${prefixOf(key)}\n`);
  });

  it('creates and revokes keys over GraphQL with `pakati keys`', async () => {
    const withKey = { ...api, PAKATI_API_KEY: stack.alpha.key };
    const created = await pakati(['keys', 'create', 'deploy'], withKey);
    expect(created.code).toBe(0);
    const deployKey = created.stdout.split('\n')[1]!;
    expect(deployKey).toMatch(/^pk_/);
    const revoked = await pakati(['keys', 'revoke', `pk_${prefixOf(deployKey)}_`], withKey);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${prefixOf(deployKey)} "deploy"\n` });
    const listed = await pakati(['keys', 'list'], withKey);
    expect(listed.stdout).toMatch(new RegExp(`  ${prefixOf(deployKey)}  deploy  .* revoked \\S+$`, 'm'));
    const self = await pakati(['keys', 'revoke', stack.alpha.prefix], withKey);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/^error: BAD_USER_INPUT: /);
  });

  it('dev-setup stores one key on first start and reuses it after', async () => {
    const keyFile = path.join(dir, 'nested', 'dev-api-key');
    const first = await pakati(['dev-setup', '--key-file', keyFile], db);
    expect(first.code).toBe(0);
    const key = (await readFile(keyFile, 'utf8')).trim();
    expect(first.stdout).toContain(key);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const second = await pakati(['dev-setup', '--key-file', keyFile], db);
    expect(second).toMatchObject({ code: 0, stdout: `development API key: ${keyFile}\n` });
    expect((await readFile(keyFile, 'utf8')).trim()).toBe(key);
    const works = await pakati(['keys', 'list'], { ...api, PAKATI_API_KEY: key });
    expect(works.stdout).toMatch(/ {2}dev {2}.*active \(this key\)/);
  });

  it('asks for a database before touching one', async () => {
    const result = await pakati(['org', 'create', 'nowhere'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: USAGE: a database is needed: pass --database-url or set DATABASE_URL\n',
    );
  });
});
