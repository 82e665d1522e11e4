import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmConfig, type OrmOptions } from './orm-config.ts';

export type Orm = MikroORM;

/** Connects and applies every pending committed migration; the schema is never auto-synced. */
export async function openOrm(options: OrmOptions & { migrate?: boolean }): Promise<Orm> {
  const orm = await MikroORM.init(createOrmConfig(options));
  if (options.migrate ?? true) await orm.migrator.up();
  return orm;
}
