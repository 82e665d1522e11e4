import { createServer } from 'node:net';
import { createTestEnvironment, type TestEnvironment } from '@pakati/testkit';
import { BackendRegistry, startWorkers } from '@pakati/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeepHealth } from '../src/observability/deep-health.ts';
import { type ApiServer, startApiServer } from '../src/server.ts';
import { until } from './gate.ts';
import { sample } from './metric-sample.ts';

let env: TestEnvironment;
let api: ApiServer;
let worker: Awaited<ReturnType<typeof startWorkers>> | undefined;

/** A port nothing listens on: an Automatic1111 there refuses every connection, as a crashed server does. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  env = await createTestEnvironment({
    PAKATI_BACKENDS: 'procedural,automatic1111',
    PAKATI_A1111_URL: `http://127.0.0.1:${await deadPort()}`,
    PAKATI_BACKEND_BREAKER_THRESHOLD: '1',
    PAKATI_BACKEND_MAX_ATTEMPTS: '1',
    PAKATI_WORKER_HEARTBEAT_MS: '200',
  });
  api = await startApiServer(env.platform, 0);
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
  await env?.cleanup();
});

async function deep(): Promise<{ status: number; body: DeepHealth }> {
  const res = await fetch(`${api.url}/health/deep`);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return { status: res.status, body: (await res.json()) as DeepHealth };
}

describe('GET /health/deep', () => {
  it('is 503 naming what is missing while no worker runs', async () => {
    const { status, body } = await deep();
    expect(status).toBe(503);
    expect(body.status).toBe('unavailable');
    expect(body.failing.sort()).toEqual(['backend:automatic1111', 'backend:procedural', 'workers']);
    expect(body.checks.postgres).toMatchObject({ status: 'ok' });
    expect(body.checks.redis).toMatchObject({ status: 'ok' });
    expect(body.checks.postgres!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(body.checks.workers).toMatchObject({ status: 'fail', detail: { ready: 0, total: 0 } });
    expect(body.checks['backend:procedural']).toMatchObject({
      status: 'fail',
      error: 'no worker reports it',
    });
    // The shallow readiness probe does not depend on workers.
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
  });

  it('is 200 once a worker hosts every backend, and 503 naming the backend whose circuit opens', async () => {
    const backends = new BackendRegistry(env.platform.config.backends);
    worker = await startWorkers(env.platform, { backends });
    const healthy = await until('every check to pass', async () => {
      const report = await deep();
      return report.status === 200 ? report.body : undefined;
    });
    expect(healthy.failing).toEqual([]);
    expect(healthy.checks['backend:automatic1111']).toMatchObject({
      status: 'ok',
      detail: { workers: 1, circuit: 'closed' },
    });

    // The server behind it is gone: one refused call opens the circuit (threshold 1).
    await expect(
      backends
        .get('automatic1111')
        .generate({ prompt: 'x', width: 64, height: 64, seed: 1 }, { signal: new AbortController().signal }),
    ).rejects.toThrow();
    expect(backends.get('automatic1111').circuitState).toBe('open');

    const down = await until('the open circuit to reach the board', async () => {
      const report = await deep();
      return report.status === 503 ? report.body : undefined;
    });
    expect(down.failing).toEqual(['backend:automatic1111']);
    expect(down.checks['backend:automatic1111']).toMatchObject({
      status: 'fail',
      error: 'circuit open on every worker',
      detail: { workers: 1, circuit: 'open' },
    });
    expect(down.checks['backend:procedural']).toMatchObject({ status: 'ok' });

    // The worker's metrics say the same: circuit state 2 and a failed call timed.
    const text = await worker.metrics.registry.metrics();
    expect(sample(text, 'pakati_backend_circuit_state', { backend: 'automatic1111' })).toBe(2);
    expect(sample(text, 'pakati_backend_circuit_state', { backend: 'procedural' })).toBe(0);
    expect(
      sample(text, 'pakati_backend_call_duration_seconds_count', {
        backend: 'automatic1111',
        operation: 'generate',
        outcome: 'UNAVAILABLE',
      }),
    ).toBe(1);
  });
});

describe('request ids', () => {
  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const given = await fetch(`${api.url}/health/live`, { headers: { 'x-request-id': 'edge-42.abc' } });
    expect(given.headers.get('x-request-id')).toBe('edge-42.abc');
    const made = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
