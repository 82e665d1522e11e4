// Developer tool: diff the entities against the committed snapshot and write a new migration file.
// Needs DATABASE_URL (any scratch database; `bin/pakati services` provides one).
import { openOrm } from '../src/orm.ts';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const orm = await openOrm({ databaseUrl, migrate: true, writeSnapshot: true });
const result = await orm.migrator.create(undefined, false, process.argv.includes('--initial'));
console.log(result.fileName ? `created ${result.fileName}` : 'no changes');
await orm.close();
