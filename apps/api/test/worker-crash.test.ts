import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { ADD_REGION, CREATE_PROJECT, RUN_EVENTS, type RunEventMessage, START_RUN } from './harness.ts';
import { startStabilityFake } from './stability-fake.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const children = new Set<ChildProcess>();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function launch(app: 'api' | 'worker', env: Record<string, string>): ChildProcess {
  // Node itself with tsx as a loader, so that the pid is the server's and kill -9 kills it.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.join(root, 'apps', app),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The database id inside a Relay global id (base64 of `Type:id`). */
const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

let environment: TestEnvironment;
let fake: Awaited<ReturnType<typeof startStabilityFake>>;
let apiUrl: string;
let key: string;
const workers: ChildProcess[] = [];
beforeAll(async () => {
  fake = await startStabilityFake();
  environment = await createTestEnvironment(fake.env);
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  const env = {
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
  for (const child of children) child.kill('SIGKILL');
  await environment?.cleanup();
  await fake?.close();
});

describe('a worker killed with kill -9 mid-run', () => {
  it('loses nothing: another worker finishes the run, no output is duplicated, subscribers see it continue', async () => {
    const gql = httpClient(apiUrl, key);
    const project = await gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
      input: { name: 'Crash', width: 128, height: 96 },
    });
    const projectId = project.data!.createProject.project.id;
    const regionIds: string[] = [];
    for (const [i, prompt] of ['calm sea', 'stall the lighthouse'].entries()) {
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
      regionIds.push(uuidOf(added.data!.addRegion.region.id));
    }
    const started = await gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE', seed: 9 },
    });
    const runId = started.data!.startRun.run.id;
    const client = wsClient(apiUrl, key);
    const stream = collect<RunEventMessage>(client, RUN_EVENTS, { runId, after: 0 });

    // The stalling region's request reaches the backend; the worker holding its job is the one to kill.
    const stalled = await until('the stalling request', () =>
      fake.calls.find((c) => c.prompt === 'stall the lighthouse'),
    );
    const queue = environment.platform.queues.queue(renderRegionJob.queue);
    const jobId = regionJobId(uuidOf(runId), regionIds[1]!);
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
    const run = await em.findOneOrFail(RunSchema, { id: uuidOf(runId) });
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
});
