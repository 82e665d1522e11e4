import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { createOrmConfig, type OrmOptions } from './orm-config.ts';

export type Orm = MikroORM;

// Any fixed 64-bit number; every Pakati process that migrates takes the same lock.
const MIGRATION_LOCK = 727_274_2026;

/**
 * Connects and applies every pending committed migration; the schema is never auto-synced. API replicas and
 * workers may start together, so migrations run under a PostgreSQL advisory lock, one process at a time.
 */
export async function openOrm(options: OrmOptions & { migrate?: boolean }): Promise<Orm> {
  const orm = await MikroORM.init(createOrmConfig(options));
  if (options.migrate ?? true) {
    const lock = new pg.Client({ connectionString: options.databaseUrl });
    await lock.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await orm.migrator.up();
    } finally {
      await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      await lock.end();
    }
  }
  return orm;
}
