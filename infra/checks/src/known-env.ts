import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listFiles, readRepoFile, repoPath } from './repo-files.ts';

/**
 * Where the processes in our images read their environment: the apps (the API image's operator CLI too) and every
 * workspace package they load.
 */
const RUNTIME_SOURCES = [
  'apps/api/src',
  'apps/cli/src',
  'apps/worker/src',
  'apps/web/app',
  'apps/web/lib',
  'packages',
];
const WEB_ROOT_FILES = ['apps/web/next.config.ts', 'apps/web/proxy.ts'];

const isRuntimeSource = (name: string) =>
  /\.(ts|tsx|mts)$/.test(name) && !/\.(test|spec|bench|e2e)\.tsx?$/.test(name) && !name.endsWith('.d.ts');

const ENV_ACCESS = /\benv\??\.([A-Z][A-Z0-9_]*)\b|\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g;
// Keys of the zod objects that validate the environment (config.ts, backends-config.ts, ...).
const SCHEMA_KEY = /^\s*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\s*:/gm;

/**
 * The environment variable names some runtime code reads: `env.NAME` / `env['NAME']` anywhere, and the upper-case
 * keys of objects in files that read the environment (the zod schemas of packages/platform/src/config.ts and the
 * backends' configs). Derived from the source, so a name the code stops reading drops out on its own.
 */
export function knownEnvNames(): Set<string> {
  const files = [
    ...RUNTIME_SOURCES.flatMap((dir) =>
      listFiles(repoPath(dir), isRuntimeSource).filter(
        (file) => !file.split(path.sep).some((part) => part === 'test' || part === 'bench'),
      ),
    ),
    ...WEB_ROOT_FILES.map((file) => repoPath(file)),
  ];
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(ENV_ACCESS)) names.add((match[1] ?? match[2]) as string);
    if (/process\.env|ProcessEnv/.test(text)) {
      for (const match of text.matchAll(SCHEMA_KEY)) names.add(match[1] as string);
    }
  }
  return names;
}

/** The names in `names` that no runtime code reads. */
export function unknownEnvNames(names: Iterable<string>, known: Set<string>): string[] {
  return [...new Set(names)].filter((name) => !known.has(name)).sort();
}

/** The default packages/platform/src/config.ts gives an integer setting (`NAME: int(20_000)`). */
export function configDefault(name: string): number {
  const match = new RegExp(`${name}: int\\(([\\d_]+)\\)`).exec(
    readRepoFile('packages/platform/src/config.ts'),
  );
  if (!match) throw new Error(`config.ts has no integer default for ${name}`);
  return Number((match[1] as string).replaceAll('_', ''));
}
