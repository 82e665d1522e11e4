import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ComposeContext,
  composeCrossReferenceProblems,
  composeFile,
  composeSchemaProblems,
  composeVariables,
  interpolate,
  parseDotenv,
} from '../src/compose-checks.ts';
import { configDefault, knownEnvNames } from '../src/known-env.ts';
import { at, parseYamlDocuments, readRepoFile } from '../src/repo-files.ts';

const text = readRepoFile('infra/compose/compose.yaml');
const envExample = parseDotenv(readRepoFile('infra/compose/.env.example'));
// The example leaves secrets empty; a filled-in .env is what Compose would see.
const filledEnv = Object.fromEntries(
  Object.entries(envExample).map(([k, v]) => [
    k,
    v || `example-${k.toLowerCase()}-0123456789abcdef0123456789`,
  ]),
);
const load = (source: string) => parseYamlDocuments(interpolate(source, filledEnv), 'compose.yaml')[0];

let ctx: ComposeContext;
beforeAll(() => {
  ctx = {
    dir: path.dirname(composeFile),
    knownEnv: knownEnvNames(),
    text,
    defaultShutdownGraceMs: configDefault('PAKATI_SHUTDOWN_GRACE_MS'),
  };
});

describe('compose.yaml', () => {
  it('matches the Compose specification schema', () => {
    expect(composeSchemaProblems(load(text))).toEqual([]);
  });

  it('has consistent references, known settings, required secrets and working healthchecks', () => {
    expect(composeCrossReferenceProblems(load(text), ctx)).toEqual([]);
  });

  it('documents every variable it interpolates in .env.example, and nothing else', () => {
    const used = new Set(composeVariables(text).map((v) => v.name));
    expect([...used].filter((name) => !(name in envExample)).sort()).toEqual([]);
    expect(Object.keys(envExample).filter((name) => !used.has(name))).toEqual([]);
  });

  it('refuses to start without the secrets', () => {
    for (const name of [
      'POSTGRES_PASSWORD',
      'PAKATI_URL_SIGNING_SECRET',
      'PAKATI_SESSION_SECRET',
      'PAKATI_ADMIN_TOKEN',
    ]) {
      expect(() => interpolate(text, { ...filledEnv, [name]: '' })).toThrow(name);
      expect(envExample[name]).toBe('');
    }
  });

  it('runs two API replicas behind the load balancer, Redis with AOF, and the GPU worker only under its profile', () => {
    const doc = load(text);
    const services = at(doc, 'services') as Record<string, Record<string, unknown>>;
    const nginx = readRepoFile('infra/compose/nginx.conf');
    const apis = Object.keys(services).filter((n) => String(services[n]?.image).startsWith('pakati-api'));
    const replicas = apis.filter((n) => services[n]?.command === undefined);
    expect(replicas.length).toBe(2);
    for (const replica of replicas) expect(nginx).toContain(`server ${replica}:4000`);
    expect(nginx).toMatch(/proxy_set_header Upgrade \$http_upgrade/);
    expect((at(services, 'redis', 'command') as string[]).join(' ')).toContain('--appendonly yes');
    expect(services['worker-gpu']?.profiles).toEqual(['gpu']);
    expect(at(services['worker-gpu'], 'deploy', 'resources', 'reservations', 'devices')).toEqual([
      { driver: 'nvidia', count: 1, capabilities: ['gpu'] },
    ]);
    expect(at(services.migrate, 'restart')).toBe('no');
  });
});

describe('the Compose validators reject broken files', () => {
  const base = () => load(text) as Record<string, Record<string, Record<string, unknown>>>;

  it('schema: an unknown service key and a bad depends_on condition', () => {
    const doc = base();
    (doc.services as Record<string, Record<string, unknown>>).web = { image: 'x', imagee: 'typo' };
    expect(composeSchemaProblems(doc).join('\n')).toMatch(/additional properties/);
    const broken = load(
      'services:\n  a:\n    image: x\n    depends_on:\n      b:\n        condition: healthy\n',
    );
    expect(composeSchemaProblems(broken).length).toBeGreaterThan(0);
    expect(
      composeSchemaProblems(
        load('services:\n  a:\n    image: x\n    healthcheck:\n      interval: 10 seconds\n'),
      ).length,
    ).toBeGreaterThan(0);
  });

  it('cross references: a missing dependency, an undeclared volume, an unknown setting', () => {
    const doc = base();
    const api = doc.services?.['api-1'] as Record<string, unknown>;
    api.depends_on = { nowhere: { condition: 'service_started' } };
    api.volumes = ['undeclared:/data'];
    (api.environment as Record<string, string>).PAKATI_NOT_A_SETTING = '1';
    const problems = composeCrossReferenceProblems(doc, ctx).join('\n');
    expect(problems).toContain("depends_on names no service 'nowhere'");
    expect(problems).toContain("volume 'undeclared' is not declared");
    expect(problems).toContain('sets PAKATI_NOT_A_SETTING, which no runtime code reads');
  });

  it('healthchecks: a path the app does not serve, a wrong port, a loopback-only worker', () => {
    const doc = base();
    const worker = doc.services?.worker as Record<string, unknown>;
    worker.healthcheck = { test: ['CMD', 'node', 'h.mjs', 'http://127.0.0.1:9999/health/nope'] };
    (worker.environment as Record<string, string>).PAKATI_WORKER_HTTP_HOST = '127.0.0.1';
    worker.stop_grace_period = '25s';
    (worker.environment as Record<string, string>).PAKATI_SHUTDOWN_GRACE_MS = '30000';
    const problems = composeCrossReferenceProblems(doc, ctx).join('\n');
    expect(problems).toContain('worker does not serve /health/nope');
    expect(problems).toContain('checks port 9999, but worker listens on 9464');
    expect(problems).toContain('PAKATI_WORKER_HTTP_HOST is loopback');
    expect(problems).toContain('stop_grace_period 25000 ms is not above the 30000 ms grace');
  });

  it('secrets: a default value is refused', () => {
    const weak = text.replace(
      /PAKATI_ADMIN_TOKEN: \$\{PAKATI_ADMIN_TOKEN:\?[^}]*\}/,
      `PAKATI_ADMIN_TOKEN: \${PAKATI_ADMIN_TOKEN:-admin}`,
    );
    expect(weak).not.toBe(text);
    const problems = composeCrossReferenceProblems(load(weak), { ...ctx, text: weak }).join('\n');
    expect(problems).toContain('PAKATI_ADMIN_TOKEN has a literal or default value');
  });
});
