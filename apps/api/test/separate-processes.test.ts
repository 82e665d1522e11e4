import type { ChildProcess } from 'node:child_process';
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
import { exited, freePort, processGroup, waitReady } from './processes.ts';

const processes = processGroup();
const launch = processes.launch;

const workers: ChildProcess[] = [];
function launchWorker(extra: Record<string, string> = {}): ChildProcess {
  const worker = launch('worker', { ...env, ...extra });
  workers.push(worker);
  return worker;
}

let environment: TestEnvironment;
let env: Record<string, string>;
let apiUrl: string;
let key: string;
beforeAll(async () => {
  environment = await createTestEnvironment();
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  env = { ...environment.env, PAKATI_API_PORT: String(port), LOG_LEVEL: 'warn' };
  key = (await createTenant(environment.platform, 'e2e')).key;
});
afterAll(async () => {
  processes.killAll();
  await environment?.cleanup();
});

async function bigProject() {
  const gql = httpClient(apiUrl, key);
  const created = await gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
    input: { name: 'Big', width: 1536, height: 1536 },
  });
  const projectId = created.data!.createProject.project.id;
  for (const [i, prompt] of [
    'golden sunset sky',
    'green forest with stripes',
    'ocean waves',
    'night stars',
  ].entries()) {
    const o = 100 + i * 300;
    await gql(ADD_REGION, {
      input: {
        projectId,
        prompt,
        feather: 24,
        points: [
          { x: o, y: o },
          { x: o + 600, y: o },
          { x: o + 600, y: o + 500 },
          { x: o, y: o + 500 },
        ],
      },
    });
  }
  return { gql, projectId };
}

describe('API and worker as separate processes', () => {
  it('survives an API crash: resubscribing with after yields exactly the missed events', async () => {
    let api = launch('api', env);
    launchWorker();
    await waitReady(apiUrl);
    const { gql, projectId } = await bigProject();
    const started = await gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE', seed: 3 },
    });
    const runId = started.data!.startRun.run.id;

    // First subscriber: take events until a PROGRESS arrives, then the API dies without warning.
    const first = wsClient(apiUrl, key);
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      first.subscribe<RunEventMessage>(
        { query: RUN_EVENTS, variables: { runId, after: 0 } },
        {
          next: (m) => {
            seen.push(m.data!.runEvents.seq);
            if (m.data!.runEvents.type === 'PROGRESS') {
              api.kill('SIGKILL');
              resolve();
            }
          },
          error: () => resolve(),
          complete: () => resolve(),
        },
      );
    });
    await exited(api);
    await first.dispose();
    const last = seen.at(-1)!;

    api = launch('api', env);
    await waitReady(apiUrl);
    const second = wsClient(apiUrl, key);
    const rest = await collect<RunEventMessage>(second, RUN_EVENTS, { runId, after: last }).done;
    await second.dispose();
    expect(rest.error).toBeUndefined();
    const all = [...seen, ...rest.items.map((m) => m.runEvents.seq)];
    expect(all).toEqual(all.map((_, i) => i + 1));
    expect(rest.items.at(-1)!.runEvents.type).toBe('COMPLETED');
    const png = await fetch(rest.items.at(-1)!.runEvents.imageUrl!);
    expect(png.headers.get('content-type')).toBe('image/png');
  });

  it('a worker stopped with SIGTERM releases its active run, and another worker finishes it', async () => {
    for (const worker of workers.splice(0)) {
      worker.kill('SIGTERM');
      expect(await exited(worker)).toBe(0);
    }
    // No grace period: the active job must be handed back to the queue, not failed.
    const impatient = launchWorker({ PAKATI_SHUTDOWN_GRACE_MS: '1' });
    const { gql, projectId } = await bigProject();
    const started = await gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE', seed: 4 },
    });
    const runId = started.data!.startRun.run.id;
    const watcher = wsClient(apiUrl, key);
    await new Promise<void>((resolve) => {
      watcher.subscribe<RunEventMessage>(
        { query: RUN_EVENTS, variables: { runId, after: 0 } },
        {
          next: (m) => m.data!.runEvents.type === 'STARTED' && resolve(),
          error: () => resolve(),
          complete: () => resolve(),
        },
      );
    });
    await watcher.dispose();
    impatient.kill('SIGTERM');
    expect(await exited(impatient)).toBe(0);
    const midway = await gql<{ run: { status: string } }>(`query($id: ID!) { run(id: $id) { status } }`, {
      id: runId,
    });
    expect(midway.data!.run.status).toBe('RUNNING');

    launchWorker();
    const client = wsClient(apiUrl, key);
    const events = (await collect<RunEventMessage>(client, RUN_EVENTS, { runId, after: 0 }).done).items.map(
      (m) => m.runEvents,
    );
    await client.dispose();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'STARTED')).toHaveLength(1);
    // The region that was being generated when the worker stopped was handed back and started again.
    const starts = events.filter((e) => e.type === 'STEP' && e.status === 'STARTED').map((e) => e.regionId);
    expect(starts.length).toBeGreaterThan(new Set(starts).size);
    expect(events.at(-1)!.type).toBe('COMPLETED');
  });
});
