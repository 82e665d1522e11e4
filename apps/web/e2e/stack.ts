import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTenant, createTestEnvironment, type TestEnvironment } from '@pakati/testkit';

const webDir = fileURLToPath(new URL('..', import.meta.url));
const root = path.resolve(webDir, '../..');
const nextBin = path.join(webDir, 'node_modules', 'next', 'dist', 'bin', 'next');

/** What the browser talks to: the web app, backed by its own API, worker and database. */
export interface E2EStack {
  webUrl: string;
  apiUrl: string;
  /** An API key of the organization the browser signs in to. */
  key: string;
  environment: TestEnvironment;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

async function waitFor(url: string, what: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    try {
      if ((await fetch(url, { redirect: 'manual' })).status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready at ${url} within ${timeoutMs} ms`);
}

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/**
 * `next build` writes BUILD_ID last, so a build is current when BUILD_ID is newer than every input:
 * the app's sources and config, and @pakati/core, which Next transpiles into the bundle.
 */
function buildIsCurrent(): boolean {
  const buildId = path.join(webDir, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const inputs = [
    'app',
    'components',
    'lib',
    'proxy.ts',
    'next.config.ts',
    'package.json',
    'tsconfig.json',
    '../../packages/core/src',
  ].map((p) => path.join(webDir, p));
  return statSync(buildId).mtimeMs > Math.max(...inputs.map(newestMtime));
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output}`)),
    );
  });
}

/** Builds the web app unless `.next` already holds a build of the current sources. */
export async function buildWeb(): Promise<void> {
  if (buildIsCurrent()) return;
  await run(process.execPath, [nextBin, 'build'], webDir, { ...process.env, NODE_ENV: 'production' });
}

/**
 * The whole system as separate processes, as `bin/pakati up` runs it: the API and a worker (the default
 * CPU backends, procedural and patchmatch) on a fresh database and queue prefix, and the production build of the web app in front of them.
 */
export async function startStack(logDir: string): Promise<E2EStack> {
  mkdirSync(logDir, { recursive: true });
  const children = new Set<ChildProcess>();
  const launch = (name: string, args: string[], cwd: string, env: Record<string, string>) => {
    // Each server's output goes to <logDir>/<name>.log, next to the screenshots, for when a step fails.
    const log = openSync(path.join(logDir, `${name}.log`), 'w');
    // One process each (tsx as a loader, not its wrapper binary) so that a kill really ends the server.
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };

  const environment = await createTestEnvironment({ LOG_LEVEL: 'warn' });
  try {
    const [apiPort, webPort] = [await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const webUrl = `http://127.0.0.1:${webPort}`;
    const appEnv = {
      ...environment.env,
      PAKATI_API_PORT: String(apiPort),
      // graphql-ws takes the session cookie only from allowed origins.
      PAKATI_CORS_ORIGINS: webUrl,
    };
    const api = launch('api', ['--import', 'tsx', 'src/main.ts'], path.join(root, 'apps/api'), appEnv);
    launch('worker', ['--import', 'tsx', 'src/main.ts'], path.join(root, 'apps/worker'), appEnv);
    await buildWeb();
    const web = launch('web', [nextBin, 'start', '-p', String(webPort), '-H', '127.0.0.1'], webDir, {
      NODE_ENV: 'production',
      PAKATI_API_URL: `${apiUrl}/graphql`,
      // No development key file: the test signs in with the tenant's key like a person would.
      PAKATI_WEB_DEV_KEY_FILE: '',
    });
    await waitFor(`${apiUrl}/health/ready`, 'the API', api, 30_000);
    await waitFor(`${webUrl}/sign-in`, 'the web app', web, 30_000);
    const { key } = await createTenant(environment.platform, 'e2e');
    return {
      webUrl,
      apiUrl,
      key,
      environment,
      async stop() {
        await Promise.all(
          [...children].map(
            (child) =>
              new Promise<void>((resolve) => {
                child.once('exit', () => resolve());
                child.kill('SIGKILL');
              }),
          ),
        );
        await environment.cleanup();
      },
    };
  } catch (error) {
    for (const child of children) child.kill('SIGKILL');
    await environment.cleanup();
    throw error;
  }
}

/** Debian's Chromium, or the one named by PAKATI_CHROMIUM; a clear failure when there is none. */
export function chromiumPath(): string {
  const candidate = process.env.PAKATI_CHROMIUM?.trim() || '/usr/bin/chromium';
  if (!existsSync(candidate)) {
    throw new Error(
      `no Chromium at ${candidate}: install it (sudo apt-get install chromium; bin/pakati test does this as root) or set PAKATI_CHROMIUM`,
    );
  }
  return candidate;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
