import { createTestEnvironment, type TestEnvironment } from '@pakati/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers } from '../src/worker-host.ts';
import { startWorkerHttp, type WorkerHttp } from '../src/worker-http.ts';

let env: TestEnvironment;
let worker: Awaited<ReturnType<typeof startWorkers>>;
let http: WorkerHttp;

beforeAll(async () => {
  env = await createTestEnvironment({ PAKATI_BACKENDS: 'procedural' });
  worker = await startWorkers(env.platform);
  http = await startWorkerHttp(
    env.platform,
    { registry: worker.metrics.registry, unready: worker.unready },
    { host: '127.0.0.1', port: 0 },
  );
});
afterAll(async () => {
  await http?.close();
  await worker?.close();
  await env?.cleanup();
});

const line = (text: string, pattern: RegExp) => text.split('\n').find((l) => pattern.test(l));

describe('the worker HTTP server', () => {
  it('counts a job that can never succeed as failed, and its queue keeps it as failed', async () => {
    const queue = env.platform.queues.queue('generation');
    // No processor accepts this payload: the worker fails it for good on the first attempt.
    const job = await queue.add('compose-run', { runId: 'not-a-uuid' }, { attempts: 3 });
    const failed = /^pakati_worker_jobs_total\{.*name="compose-run".*status="failed"/;
    let text = '';
    for (let i = 0; i < 200 && !line(text, failed); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 25));
      const res = await fetch(`${http.url}/metrics`);
      expect(res.status).toBe(200);
      text = await res.text();
    }
    expect(line(text, failed)?.endsWith(' 1')).toBe(true);
    expect(await job.isFailed()).toBe(true);
    expect(line(text, /^pakati_worker_jobs_total\{.*status="retried"/)).toBeUndefined();
    expect(line(text, /^pakati_queue_jobs\{.*queue="generation".*state="failed"/)?.endsWith(' 1')).toBe(true);
    expect(line(text, /^pakati_backend_circuit_state\{.*backend="procedural"/)?.endsWith(' 0')).toBe(true);
  });

  it('is live and ready while running, not ready once it drains', async () => {
    expect((await fetch(`${http.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${http.url}/health/ready`)).status).toBe(200);
    await worker.close();
    const res = await fetch(`${http.url}/health/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', reason: 'draining' });
    expect((await fetch(`${http.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${http.url}/nope`)).status).toBe(404);
  });
});
