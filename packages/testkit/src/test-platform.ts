import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPlatform, loadConfig, type Platform } from '@pakati/platform';
import { createTestDatabase } from './test-database.ts';

export interface TestEnvironment {
  env: Record<string, string>;
  platform: Platform;
  cleanup(): Promise<void>;
}

/**
 * Real PostgreSQL (a database of its own) and real Redis (a queue prefix of its own) per test file,
 * so files can run side by side without seeing each other's data.
 */
export async function createTestEnvironment(
  overrides: Record<string, string> = {},
): Promise<TestEnvironment> {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is not set: run the tests through `bin/pakati test`');
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pakati-test-'));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    PAKATI_DATA_DIR: dataDir,
    PAKATI_API_PORT: '0',
    PAKATI_QUEUE_PREFIX: `pakati-test-${randomBytes(4).toString('hex')}`,
    PAKATI_URL_SIGNING_SECRET: randomBytes(32).toString('hex'),
    PAKATI_SESSION_SECRET: randomBytes(32).toString('hex'),
    // Several workers per test machine: each takes a free port for its metrics and health endpoints.
    PAKATI_WORKER_HTTP_PORT: '0',
    // Tests drive many requests and runs through one key; the quota tests set their own limits.
    PAKATI_TIER_QUOTAS: JSON.stringify({
      STARTER: { requestsPerMinute: 1_000_000, concurrentRuns: 1_000_000 },
    }),
    ...overrides,
  };
  const platform = await createPlatform(loadConfig(env), 'test');
  return {
    env,
    platform,
    async cleanup() {
      await platform.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An organization and a working API key in it. */
export async function createTenant(platform: Platform, name: string) {
  const org = await platform.identity.createOrganization(name);
  const key = await platform.identity.createApiKey(org.id, 'test');
  return { organizationId: org.id, key: key.key, prefix: key.prefix };
}
