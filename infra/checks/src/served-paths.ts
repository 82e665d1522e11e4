import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { listFiles, readRepoFile, repoPath } from './repo-files.ts';

export type AppName = 'api' | 'worker' | 'web';

interface AppFacts {
  /** Where the app's HTTP routes are written. */
  sources: string[];
  /** The variables that choose its listening port and address (packages/platform/src/config.ts). */
  portEnv?: string;
  hostEnv?: string;
}

export const APPS: Record<AppName, AppFacts> = {
  api: {
    sources: ['apps/api/src', 'packages/platform/src'],
    portEnv: 'PAKATI_API_PORT',
    hostEnv: 'PAKATI_API_HOST',
  },
  worker: {
    sources: ['apps/worker/src', 'packages/platform/src'],
    portEnv: 'PAKATI_WORKER_HTTP_PORT',
    hostEnv: 'PAKATI_WORKER_HTTP_HOST',
  },
  web: { sources: ['apps/web/app'] },
};

/** Which app an image or Dockerfile name is (pakati-api:local, registry/pakati/worker-gpu:1.0, web.Dockerfile). */
export function appOf(imageOrDockerfile: string): AppName | null {
  const name = path.basename(imageOrDockerfile.split(':')[0] ?? '').replace(/\.Dockerfile$/, '');
  const match = /^(?:pakati-)?(api|worker|web)(?:-(?:cpu|gpu))?$/.exec(name);
  return (match?.[1] as AppName | undefined) ?? null;
}

const sourceCache = new Map<AppName, string[]>();
function sourcesOf(app: AppName): string[] {
  let texts = sourceCache.get(app);
  if (!texts) {
    texts = APPS[app].sources.flatMap((dir) =>
      listFiles(repoPath(dir), (n) => /\.tsx?$/.test(n) && !/\.test\.tsx?$/.test(n)).map((f) =>
        readFileSync(f, 'utf8'),
      ),
    );
    sourceCache.set(app, texts);
  }
  return texts;
}

/**
 * Does the app answer `urlPath`? For the API and the worker: the path is a string literal of their HTTP code. For
 * the web client: a Next.js App Router page or route handler exists for it.
 */
export function servesPath(app: AppName, urlPath: string): boolean {
  if (app === 'web') {
    const dir = repoPath('apps/web/app', urlPath.replace(/^\//, ''));
    return ['page.tsx', 'page.ts', 'route.ts'].some((file) => existsSync(path.join(dir, file)));
  }
  const quoted = [`'${urlPath}'`, `"${urlPath}"`, `\`${urlPath}\``];
  return sourcesOf(app).some((text) => quoted.some((q) => text.includes(q)));
}

/** The port `next start` listens on in the web image (its CMD's --port). */
export function webImagePort(): number {
  const match = /"--port",\s*"(\d+)"/.exec(readRepoFile('infra/docker/web.Dockerfile'));
  if (!match) throw new Error('web.Dockerfile: CMD has no --port');
  return Number(match[1]);
}

const LOOPBACK = /^(127\.|localhost$|::1$)/;

/**
 * Problems of one HTTP check (a healthcheck URL or a probe) of `app`, given the environment the process gets:
 * the path must be served, the port the one the process listens on, and the address not loopback-only.
 */
export function httpCheckProblems(
  where: string,
  app: AppName,
  port: number,
  urlPath: string,
  env: Record<string, string>,
  probeFromOutside: boolean,
): string[] {
  const problems: string[] = [];
  if (!servesPath(app, urlPath)) problems.push(`${where}: ${app} does not serve ${urlPath}`);
  const facts = APPS[app];
  const listening = facts.portEnv ? Number(env[facts.portEnv]) : webImagePort();
  if (facts.portEnv && env[facts.portEnv] === undefined) {
    problems.push(`${where}: ${facts.portEnv} is not set, so the port is implicit`);
  } else if (listening !== port) {
    problems.push(`${where}: checks port ${port}, but ${app} listens on ${listening}`);
  }
  if (probeFromOutside && facts.hostEnv && LOOPBACK.test(env[facts.hostEnv] ?? '127.0.0.1')) {
    problems.push(
      `${where}: ${facts.hostEnv} is loopback, so nothing outside the container reaches ${urlPath}`,
    );
  }
  return problems;
}
