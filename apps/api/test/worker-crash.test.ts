import type { ChildProcess } from 'node:child_process';
import { GenerationStepSchema, RunSchema } from '@pakati/db';
import { regionJobId, renderRegionJob } from '@pakati/jobs';
import {
  collect,
  createTenant,
  createTestEnvironment,
  httpClient,
  type TestEnvironment,
  wsClient,
} from '@pakati/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './gate.ts';
import { ADD_REGION, CREATE_PROJECT, RUN_EVENTS, type RunEventMessage, rawId, START_RUN } from './harness.ts';
import { freePort, processGroup, waitReady } from './processes.ts';
import { startStabilityFake } from './stability-fake.ts';

const processes = processGroup();
const launch = processes.launch;

let environment: TestEnvironment;
let fake: Awaited<ReturnType<typeof startStabilityFake>>;
let apiUrl: string;
let key: string;
let env: Record<string, string>;
const workers: ChildProcess[] = [];
beforeAll(async () => {
  fake = await startStabilityFake();
  environment = await createTestEnvironment(fake.env);
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  env = {
    ...environment.env,
    PAKATI_API_PORT: String(port),
    LOG_LEVEL: 'warn',
    // A dead worker's job is back in the queue within about two lock periods.
    PAKATI_WORKER_LOCK_MS: '2000',
    PAKATI_BACKEND_MAX_ATTEMPTS: '1',
  };
  key = (await createTenant(environment.platform, 'crash')).key;
  launch('api', env);
  workers.push(launch('worker', env), launch('worker', env));
  await waitReady(apiUrl);
});
afterAll(async () => {
  processes.killAll();
  await environment?.cleanup();
  await fake?.close();
});

/** A run of two regions on the Stability fake; the second region's first request is held (see the fake). */
async function startTwoRegionRun(stallPrompt: string) {
  const gql = httpClient(apiUrl, key);
  const project = await gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
    input: { name: 'Crash', width: 128, height: 96 },
  });
  const projectId = project.data!.createProject.project.id;
  const regionIds: string[] = [];
  for (const [i, prompt] of ['calm sea', stallPrompt].entries()) {
    const added = await gql<{ addRegion: { region: { id: string } } }>(ADD_REGION, {
      input: {
        projectId,
        prompt,
        points: [
          { x: 8 + i * 60, y: 8 },
          { x: 60 + i * 60, y: 8 },
          { x: 60 + i * 60, y: 80 },
          { x: 8 + i * 60, y: 80 },
        ],
      },
    });
    regionIds.push(rawId(added.data!.addRegion.region.id));
  }
  const started = await gql<{ startRun: { run: { id: string } } }>(START_RUN, {
    input: { projectId, kind: 'GENERATE', seed: 9 },
  });
  const runId = started.data!.startRun.run.id;
  return { runId, regionIds };
}

describe('a worker killed with kill -9 mid-run', () => {
  it('loses nothing: another worker finishes the run, no output is duplicated, subscribers see it continue', async () => {
    const { runId, regionIds } = await startTwoRegionRun('stall the lighthouse');
    const client = wsClient(apiUrl, key);
    const stream = collect<RunEventMessage>(client, RUN_EVENTS, { runId, after: 0 });

    // The stalling region's request reaches the backend; the worker holding its job is the one to kill.
    const stalled = await until('the stalling request', () =>
      fake.calls.find((c) => c.prompt === 'stall the lighthouse'),
    );
    const queue = environment.platform.queues.queue(renderRegionJob.queue);
    const jobId = regionJobId(rawId(runId), regionIds[1]!);
    const holder = (await queue.getJob(jobId))!.processedBy!;
    const victim = workers.find((w) => holder.includes(`:${w.pid}:`))!;
    expect(victim).toBeDefined();
    const eventsBefore = stream.items.length;
    victim.kill('SIGKILL');
    await until('the killed worker to exit', () => victim.exitCode ?? victim.signalCode ?? undefined);
    await until('the backend to see the dead connection', () => stalled.abandonedAt ?? undefined);

    const result = await stream.done;
    await client.dispose();
    expect(result.error).toBeUndefined();
    const events = result.items.map((m) => m.runEvents);
    // One subscription from QUEUED to COMPLETED across the crash, no gap and no duplicate.
    expect(events.length).toBeGreaterThan(eventsBefore);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)!.type).toBe('COMPLETED');
    const survivor = workers.find((w) => w !== victim)!;
    expect((await queue.getJob(jobId))!.processedBy).toContain(`:${survivor.pid}:`);

    const em = environment.platform.orm.em.fork();
    const run = await em.findOneOrFail(RunSchema, { id: rawId(runId) });
    expect(run.status).toBe('SUCCEEDED');
    const steps = await em.find(GenerationStepSchema, { run: run.id });
    expect(
      steps
        .filter((s) => s.operation === 'generate')
        .map((s) => s.regionId)
        .sort(),
    ).toEqual([...regionIds].sort());
    expect(steps.filter((s) => s.operation === 'compose')).toHaveLength(1);
    expect(fake.calls.filter((c) => c.prompt === 'stall the lighthouse').map((c) => c.answered)).toEqual([
      false,
      true,
    ]);
  });

  it('fails the run, instead of leaving it RUNNING, when a job stalls more often than allowed', async () => {
    // Replace the workers with ones that allow no stall at all: the next worker to see the job fails it.
    for (const worker of workers.splice(0)) worker.kill('SIGKILL');
    workers.push(
      launch('worker', { ...env, PAKATI_WORKER_MAX_STALLED: '0' }),
      launch('worker', { ...env, PAKATI_WORKER_MAX_STALLED: '0' }),
    );
    const { runId, regionIds } = await startTwoRegionRun('stall the harbour');
    await until('the stalling request', () => fake.calls.find((c) => c.prompt === 'stall the harbour'));
    const queue = environment.platform.queues.queue(renderRegionJob.queue);
    const jobId = regionJobId(rawId(runId), regionIds[1]!);
    const holder = await until(
      'a worker to hold the job',
      async () => (await queue.getJob(jobId))?.processedBy,
    );
    workers.find((w) => holder.includes(`:${w.pid}:`))!.kill('SIGKILL');

    const client = wsClient(apiUrl, key);
    const events = (await collect<RunEventMessage>(client, RUN_EVENTS, { runId, after: 0 }).done).items.map(
      (m) => m.runEvents,
    );
    await client.dispose();
    const last = events.at(-1)!;
    expect(last.type, JSON.stringify(last)).toBe('FAILED');
    expect(last.error!.message).toMatch(/stalled more than allowable limit/);
    expect(await (await queue.getJob(jobId))!.getState()).toBe('failed');
  });
});
