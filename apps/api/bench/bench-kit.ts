import { createProceduralBackend, createRaster, type ImageBackend } from '@pakati/core';
import { createTenant, createTestEnvironment, httpClient } from '@pakati/testkit';
import { BACKEND_FACTORIES, BackendRegistry, startWorkers } from '@pakati/worker';
import { startApiServer } from '../src/server.ts';

/** A generator that does no work: the image it returns is allocated, never painted. */
export function noopBackend(): ImageBackend {
  const base = createProceduralBackend({ name: 'noop' });
  return {
    ...base,
    name: 'noop',
    async generate(params) {
      return {
        image: createRaster(params.width, params.height),
        seed: params.seed ?? 0,
        model: 'noop',
        modelVersion: '0',
        timings: { totalMs: 0 },
      };
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  console.log(`\n${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

export const ms = (v: number) => `${v.toFixed(1)} ms`;

/**
 * The whole system in this process on a fresh database and queue prefix: API on a random port and a worker whose
 * only generator is the no-op backend (patchmatch stays for inpainting, which these benches never ask for).
 */
export async function benchStack(env: Record<string, string> = {}, options: { worker?: boolean } = {}) {
  const environment = await createTestEnvironment({ PAKATI_BACKENDS: 'patchmatch', ...env });
  const api = await startApiServer(environment.platform, 0);
  const worker =
    options.worker === false
      ? null
      : await startWorkers(environment.platform, {
          backends: new BackendRegistry(environment.platform.config.backends, BACKEND_FACTORIES, [
            noopBackend(),
          ]),
        });
  const tenant = await createTenant(environment.platform, 'bench');
  const gql = httpClient(api.url, tenant.key);
  const created = await gql<{ createProject: { project: { id: string } } }>(
    `mutation { createProject(input: {name: "bench", width: 64, height: 64}) { project { id } } }`,
  );
  const projectId = created.data!.createProject.project.id;
  await gql(
    `mutation($p: ID!) { addRegion(input: {projectId: $p, prompt: "noop", points: [{x: 0, y: 0}, {x: 32, y: 0}, {x: 32, y: 32}, {x: 0, y: 32}]}) { region { id } } }`,
    { p: projectId },
  );
  return {
    ...environment,
    api,
    tenant,
    gql,
    projectId,
    async stop() {
      await worker?.close();
      await api.close();
      await environment.cleanup();
    },
  };
}
