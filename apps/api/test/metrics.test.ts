import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { createMetricsRegistry } from '@pakati/platform';
import { schema } from '@pakati/schema';
import {
  collect,
  createTenant,
  createTestEnvironment,
  httpClient,
  type TestEnvironment,
  wsClient,
} from '@pakati/testkit';
import { startWorkerHttp, startWorkers, type WorkerHttp } from '@pakati/worker';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphqlMetrics, useGraphqlMetrics } from '../src/observability/graphql-metrics.plugin.ts';
import { type ApiServer, startApiServer } from '../src/server.ts';
import { until } from './gate.ts';
import { projectWithRegion, RUN_EVENTS, type RunEventMessage, START_RUN } from './harness.ts';
import { sample } from './metric-sample.ts';

const PROMTOOL = process.env.PAKATI_PROMTOOL?.trim() || '/usr/bin/promtool';
const TOKEN = 'metrics-token-for-tests-0123456789';

let env: TestEnvironment;
let api: ApiServer;
let worker: Awaited<ReturnType<typeof startWorkers>>;
let workerHttp: WorkerHttp;
let gql: ReturnType<typeof httpClient>;
let key: string;

beforeAll(async () => {
  env = await createTestEnvironment({ PAKATI_PROGRESS_INTERVAL_MS: '0', PAKATI_METRICS_TOKEN: TOKEN });
  api = await startApiServer(env.platform, 0);
  worker = await startWorkers(env.platform);
  workerHttp = await startWorkerHttp(
    env.platform,
    { registry: worker.metrics.registry, unready: worker.unready },
    { host: '127.0.0.1', port: 0 },
  );
  key = (await createTenant(env.platform, 'alpha')).key;
  gql = httpClient(api.url, key);
});
afterAll(async () => {
  await workerHttp?.close();
  await worker?.close();
  await api?.close();
  await env?.cleanup();
});

async function scrape(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** promtool's own linter: a malformed exposition or a badly named metric fails the test. */
async function promtoolCheck(text: string): Promise<void> {
  expect(existsSync(PROMTOOL), `promtool is required at ${PROMTOOL} (apt-get install prometheus)`).toBe(true);
  const run = promisify(execFile)(PROMTOOL, ['check', 'metrics']);
  run.child.stdin!.end(text);
  const { stdout, stderr } = await run;
  expect(`${stdout}${stderr}`.trim()).toBe('');
}

describe('GET /metrics on the API', () => {
  it('answers only a scraper that presents the token', async () => {
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${api.url}/metrics`, {
      headers: { authorization: 'Bearer wrong-token-of-some-length' },
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${workerHttp.url}/metrics`)).status).toBe(401);
  });

  it('counts, times and classifies GraphQL operations, and tracks open subscriptions', async () => {
    const before = await scrape(api.url);
    const listed = (t: string) =>
      sample(t, 'pakati_graphql_requests_total', {
        operation: 'ProjectList',
        type: 'query',
        outcome: 'success',
      }) ?? 0;
    for (let i = 0; i < 3; i++) {
      const res = await gql(`query ProjectList { projects(first: 5) { edges { cursor } } }`);
      expect(res.errors).toBeUndefined();
    }
    const invalid = await gql(`query Broken { noSuchField }`);
    expect(invalid.errors).toBeDefined();
    const unknownRun = await gql(`query MissingRun { run(id: "not-a-run-id") { id } }`);
    expect(unknownRun.errors).toBeDefined();

    const after = await scrape(api.url);
    expect(listed(after) - listed(before)).toBe(3);
    expect(
      sample(after, 'pakati_graphql_request_duration_seconds_count', {
        operation: 'ProjectList',
        type: 'query',
      }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      sample(after, 'pakati_graphql_requests_total', {
        operation: 'Broken',
        type: 'query',
        outcome: 'invalid',
      }),
    ).toBe(1);
    expect(
      sample(after, 'pakati_graphql_errors_total', {
        operation: 'Broken',
        code: 'GRAPHQL_VALIDATION_FAILED',
      }),
    ).toBe(1);
    expect(
      sample(after, 'pakati_graphql_requests_total', {
        operation: 'MissingRun',
        type: 'query',
        outcome: 'error',
      }),
    ).toBe(1);
    expect(sample(after, 'pakati_graphql_errors_total', { operation: 'MissingRun' })).toBe(1);
    // Node's own metrics are there too.
    expect(sample(after, 'process_cpu_user_seconds_total', { service: 'api' })).toBeGreaterThan(0);

    const client = wsClient(api.url, key);
    const feed = collect(client, `subscription Feed { organizationRunEvents { runId status } }`, {});
    const open = (t: string) => sample(t, 'pakati_graphql_active_subscriptions', { operation: 'Feed' });
    await until('the subscription to count', async () =>
      (open(await scrape(api.url)) ?? 0) === 1 ? true : undefined,
    );
    await client.dispose();
    await feed.done;
    await until('the subscription to end', async () =>
      open(await scrape(api.url)) === 0 ? true : undefined,
    );
    await promtoolCheck(await scrape(api.url));
  });
});

describe('operation names as labels', () => {
  it('stops taking new names past the cap, counting the rest as other', async () => {
    const registry = createMetricsRegistry('api');
    const yoga = createYoga({ schema, plugins: [useGraphqlMetrics(createGraphqlMetrics(registry), 2)] });
    for (const name of ['First', 'Second', 'Third', 'Fourth', 'First']) {
      const res = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query ${name} { __typename }` }),
      });
      expect(res.status).toBe(200);
    }
    const text = await registry.metrics();
    const count = (operation: string) =>
      sample(text, 'pakati_graphql_requests_total', { operation, outcome: 'success' });
    expect([count('First'), count('Second'), count('other'), count('Third')]).toEqual([2, 1, 2, undefined]);
  });
});

describe("the worker's /metrics", () => {
  it('counts and times the jobs of a real run, reports circuits and queue depths, and passes promtool', async () => {
    const { projectId } = await projectWithRegion(gql);
    const started = await gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE', seed: 7 },
    });
    expect(started.errors).toBeUndefined();
    const client = wsClient(api.url, key);
    const events = await collect<RunEventMessage>(client, RUN_EVENTS, {
      runId: started.data!.startRun.run.id,
      after: 0,
    }).done;
    await client.dispose();
    expect(events.items.at(-1)?.runEvents.type).toBe('COMPLETED');

    // The compose job's `completed` event fires just after its run is marked done.
    const text = await until('the compose job to be counted', async () => {
      const t = await scrape(workerHttp.url);
      return sample(t, 'pakati_worker_jobs_total', { name: 'compose-run', status: 'completed' })
        ? t
        : undefined;
    });
    expect(sample(text, 'pakati_worker_jobs_total', { name: 'render-region', status: 'completed' })).toBe(1);
    expect(sample(text, 'pakati_worker_jobs_total', { name: 'compose-run', status: 'completed' })).toBe(1);
    expect(sample(text, 'pakati_worker_job_duration_seconds_count', { name: 'render-region' })).toBe(1);
    expect(sample(text, 'pakati_worker_job_duration_seconds_sum', { name: 'render-region' })).toBeGreaterThan(
      0,
    );
    expect(
      sample(text, 'pakati_backend_call_duration_seconds_count', {
        backend: 'procedural',
        outcome: 'success',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'pakati_backend_circuit_state', { backend: 'procedural' })).toBe(0);
    expect(sample(text, 'pakati_queue_jobs', { queue: 'generation', state: 'active' })).toBe(0);
    expect(sample(text, 'pakati_queue_jobs', { queue: 'generation', state: 'failed' })).toBe(0);
    expect(sample(text, 'process_resident_memory_bytes', { service: 'worker' })).toBeGreaterThan(0);
    await promtoolCheck(text);
  });

  it('serves liveness and readiness', async () => {
    expect((await fetch(`${workerHttp.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${workerHttp.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
  });
});
