// The one entry point behind `bin/pakati`: brings up PostgreSQL and Redis (or uses DATABASE_URL / REDIS_URL),
// then runs the whole system or the whole test suite against them, and stops what it started on exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePostgres } from './postgres.ts';
import { ensureRedis } from './redis.ts';

const root = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const dataDir = process.env.PAKATI_DATA_DIR ?? path.join(root, '.data');
const log = (message: string) => console.log(`[pakati] ${message}`);
const cleanups: (() => Promise<void>)[] = [];
const children = new Set<ChildProcess>();
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      [...children].map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
    );
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => log(`cleanup failed: ${e}`));
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(130));
process.on('SIGTERM', () => void stopAll(143));

async function services(): Promise<Record<string, string>> {
  mkdirSync(dataDir, { recursive: true });
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await ensurePostgres(dataDir, Number(process.env.PAKATI_PG_PORT ?? 54329), log);
    if (pg.started) cleanups.push(pg.stop);
    databaseUrl = pg.url;
  } else log('postgres: using DATABASE_URL');
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await ensureRedis(dataDir, Number(process.env.PAKATI_REDIS_PORT ?? 63799), log);
    if (redis.started) cleanups.push(redis.stop);
    redisUrl = redis.url;
  } else log('redis: using REDIS_URL');
  return { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PAKATI_DATA_DIR: dataDir };
}

/** Development only: per-checkout secrets, so signed image URLs and web sessions stay valid across restarts. */
function devSecret(name: 'url-signing-secret' | 'session-secret'): string {
  const file = path.join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function run(command: string, args: string[], env: Record<string, string>, cwd = root): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: 'inherit' });
    children.add(child);
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

async function up(): Promise<void> {
  const env = {
    ...(await services()),
    PAKATI_URL_SIGNING_SECRET: process.env.PAKATI_URL_SIGNING_SECRET ?? devSecret('url-signing-secret'),
    PAKATI_SESSION_SECRET: process.env.PAKATI_SESSION_SECRET ?? devSecret('session-secret'),
  };
  // The API and worker run in development mode (GraphiQL on); Next.js must build and serve as production.
  const appEnv = { ...env, NODE_ENV: process.env.NODE_ENV ?? 'development' };
  const webEnv = { ...env, NODE_ENV: 'production' };
  const keyFile = path.join(dataDir, 'dev-api-key');
  const apiDir = path.join(root, 'apps/api');
  const cliDir = path.join(root, 'apps/cli');
  if ((await run(bin('tsx'), ['src/main.ts', 'dev-setup', '--key-file', keyFile], appEnv, cliDir)) !== 0) {
    return stopAll(1);
  }
  log('building the web client');
  if ((await run('pnpm', ['--filter', '@pakati/web', 'run', 'build'], webEnv)) !== 0) return stopAll(1);
  const apiPort = process.env.PAKATI_API_PORT ?? '4000';
  const webRuntime = {
    PAKATI_API_URL: `http://127.0.0.1:${apiPort}/graphql`,
    PAKATI_WEB_DEV_KEY_FILE: keyFile,
  };
  const processes: [string, string[], string, Record<string, string>][] = [
    // tsx as a loader inside one node process: signals reach the server itself, not a wrapper.
    [process.execPath, ['--import', 'tsx', 'src/main.ts'], apiDir, appEnv],
    [process.execPath, ['--import', 'tsx', 'src/main.ts'], path.join(root, 'apps/worker'), appEnv],
    ['pnpm', ['run', 'start'], path.join(root, 'apps/web'), { ...webEnv, ...webRuntime }],
  ];
  const exits = processes.map(([cmd, args, cwd, childEnv]) => run(cmd, args, childEnv, cwd));
  log(
    `API http://127.0.0.1:${apiPort}/graphql · web http://127.0.0.1:3000 · key in ${keyFile} · Ctrl-C stops`,
  );
  const code = await Promise.race(exits);
  if (!stopping) log(`a process exited with code ${code}; stopping the stack`);
  return stopAll(code === 0 ? 1 : code);
}

const CHROMIUM = process.env.PAKATI_CHROMIUM?.trim() || '/usr/bin/chromium';

/**
 * The web end-to-end tests drive Debian's Chromium. Installed with apt when missing and we may (root with
 * apt-get), as bin/pakati does for redis-server; otherwise the e2e step fails and says how to get it.
 */
async function ensureChromium(): Promise<number> {
  if (existsSync(CHROMIUM)) return 0;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    log(`no Chromium at ${CHROMIUM}: install it (sudo apt-get install chromium) or set PAKATI_CHROMIUM`);
    return 1;
  }
  log('installing chromium with apt for the web end-to-end tests');
  const aptEnv = { DEBIAN_FRONTEND: 'noninteractive' };
  const code =
    (await run('apt-get', ['update', '-qq'], aptEnv)) ||
    (await run('apt-get', ['install', '-y', '-qq', 'chromium'], aptEnv));
  if (code !== 0 || !existsSync(CHROMIUM)) {
    log(`chromium did not install (apt-get exited ${code}); the web end-to-end tests need it at ${CHROMIUM}`);
    return code || 1;
  }
  return 0;
}

const PROMTOOL = process.env.PAKATI_PROMTOOL?.trim() || '/usr/bin/promtool';

/** The metrics tests lint what /metrics serves with promtool, from Debian's prometheus package; installed like Chromium. */
async function ensurePromtool(): Promise<number> {
  if (existsSync(PROMTOOL)) return 0;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    log(`no promtool at ${PROMTOOL}: install it (sudo apt-get install prometheus) or set PAKATI_PROMTOOL`);
    return 1;
  }
  log('installing prometheus (for promtool) with apt for the metrics tests');
  const aptEnv = { DEBIAN_FRONTEND: 'noninteractive' };
  const code =
    (await run('apt-get', ['update', '-qq'], aptEnv)) ||
    (await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], aptEnv));
  if (code !== 0 || !existsSync(PROMTOOL)) {
    log(
      `prometheus did not install (apt-get exited ${code}); the metrics tests need promtool at ${PROMTOOL}`,
    );
    return code || 1;
  }
  return 0;
}

async function test(): Promise<void> {
  const env = await services();
  const steps: (() => Promise<number>)[] = [
    () => run(bin('biome'), ['ci', '.'], env),
    () => run(bin('turbo'), ['run', 'typecheck'], env),
    ensurePromtool,
    () => run(bin('turbo'), ['run', 'test', '--concurrency=1'], env),
    ensureChromium,
    () => run('pnpm', ['--filter', '@pakati/web', 'run', 'test:e2e'], env),
  ];
  for (const step of steps) {
    const code = await step();
    if (code !== 0) return stopAll(code);
  }
  return stopAll(0);
}

async function exec(argv: string[]): Promise<void> {
  const env = await services();
  const [cmd, ...args] = argv;
  if (!cmd) {
    for (const [k, v] of Object.entries(env)) console.log(`${k}=${v}`);
    log('services are up; Ctrl-C stops the ones this command started');
    await new Promise(() => {});
  }
  return stopAll(await run(cmd as string, args, env, process.cwd()));
}

const [command = 'help', ...rest] = process.argv.slice(2);
const commands: Record<string, () => Promise<void>> = {
  up,
  test,
  services: () => exec(rest[0] === '--' ? rest.slice(1) : rest),
};
const selected = commands[command];
if (!selected) {
  console.log('usage: bin/pakati up | test | services [-- command args...]');
  process.exit(command === 'help' ? 0 : 2);
}
selected().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  void stopAll(1);
});
