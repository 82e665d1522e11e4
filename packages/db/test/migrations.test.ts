import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Orm, openOrm } from '../src/index.ts';

// The test cannot use @pakati/testkit (it depends on this package), so it makes its own scratch database.
const base = process.env.DATABASE_URL;
const name = `pakati_migrations_${randomBytes(5).toString('hex')}`;
const admin = () => {
  const url = new URL(base!);
  url.pathname = '/postgres';
  return new pg.Client({ connectionString: url.toString() });
};
let orm: Orm;

beforeAll(async () => {
  if (!base) throw new Error('DATABASE_URL is not set: run the tests through `bin/pakati test`');
  const client = admin();
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  orm = await openOrm({ databaseUrl: url.toString() });
});

afterAll(async () => {
  await orm?.close();
  const client = admin();
  await client.connect();
  await client.query(`drop database if exists ${name} with (force)`);
  await client.end();
});

describe('committed migrations', () => {
  it('bring an empty database exactly to the schema the entities describe', async () => {
    const drift = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(drift.trim()).toBe('');
  });

  it('are recorded as applied, so a second start applies nothing', async () => {
    const pending = await orm.migrator.getPending();
    expect(pending).toEqual([]);
    expect((await orm.migrator.getExecuted()).length).toBeGreaterThan(0);
  });

  it('enforce one idempotency key per organization and a unique seq per run', async () => {
    const conn = orm.em.getConnection();
    const constraints = await conn.execute(
      `select conname from pg_constraint where conname in ('run_organization_id_idempotency_key_unique', 'run_event_pkey')`,
    );
    expect(constraints.map((r) => String(r.conname)).sort()).toEqual([
      'run_event_pkey',
      'run_organization_id_idempotency_key_unique',
    ]);
  });
});

describe('migrating from several processes at once', () => {
  it('is serialized by an advisory lock: concurrent starts on a fresh database all succeed', async () => {
    const fresh = `${name}_concurrent`;
    const client = admin();
    await client.connect();
    await client.query(`create database ${fresh}`);
    await client.end();
    const url = new URL(base!);
    url.pathname = `/${fresh}`;
    const migrationsDir = new URL('../src/migrations', import.meta.url);
    const filesBefore = readdirSync(migrationsDir).sort();
    try {
      const orms = await Promise.all(
        [1, 2, 3].map(() => openOrm({ databaseUrl: url.toString(), poolMax: 2 })),
      );
      const files = readdirSync(new URL('../src/migrations', import.meta.url)).filter((f) =>
        /^Migration\d+\.ts$/.test(f),
      );
      expect(await orms[0]!.migrator.getPending()).toEqual([]);
      expect((await orms[0]!.migrator.getExecuted()).length).toBe(files.length);
      await Promise.all(orms.map((o) => o.close()));
      // Running migrations writes nothing into the source tree (no per-database schema snapshots).
      expect(readdirSync(migrationsDir).sort()).toEqual(filesBefore);
    } finally {
      const c = admin();
      await c.connect();
      await c.query(`drop database if exists ${fresh} with (force)`);
      await c.end();
    }
  });
});
