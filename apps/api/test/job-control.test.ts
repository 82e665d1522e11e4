import { RunFailureSchema } from '@pakati/db';
import { composeRunJob, QUEUE_NAMES, regionJobId } from '@pakati/jobs';
import { collect, wsClient } from '@pakati/testkit';
import { startWorkers } from '@pakati/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './gate.ts';
import { ADD_REGION, CREATE_PROJECT, projectWithRegion, rawId, type Stack, startStack } from './harness.ts';
import { startStabilityFake } from './stability-fake.ts';

const START_RUN = `mutation($input: StartRunInput!) {
  startRun(input: $input) { run { id status priority queuePosition } }
}`;
const START_RUNS = `mutation($input: StartRunsInput!) {
  startRuns(input: $input) { batchId runs { id seed priority batchId status } }
}`;
const RUN = `query($id: ID!) {
  run(id: $id) {
    status priority queuePosition batchId startedAt
    steps { operation }
    failures { jobName attempt code message willRetry }
  }
}`;
const QUEUES = `{ queues { name waiting prioritized active delayed failed completed paused waitingChildren workers } }`;
const CANCEL_RUN = `mutation($id: ID!) { cancelRun(id: $id) { run { id status } } }`;
const EVENTS = `subscription($runId: ID!) {
  runEvents(runId: $runId, after: 0) {
    seq type
    ... on RunRetryEvent { jobName attempt code message delayMs }
    ... on RunFailedEvent { error { code } }
  }
}`;

type Gql = Stack['alpha']['gql'];
interface RunState {
  status: string;
  priority: number;
  queuePosition: number | null;
  batchId: string | null;
  startedAt: string | null;
  steps: { operation: string }[];
  failures: { jobName: string; attempt: number; code: string; message: string; willRetry: boolean }[];
}
interface QueueStats {
  name: string;
  prioritized: number;
  waitingChildren: number;
  active: number;
  workers: number;
}
interface Event {
  seq: number;
  type: string;
  jobName?: string;
  attempt?: number;
  code?: string;
  delayMs?: number;
  error?: { code: string };
}

async function startRun(gql: Gql, input: Record<string, unknown>) {
  const started = await gql<{ startRun: { run: { id: string; priority: number } } }>(START_RUN, {
    input: { kind: 'GENERATE', ...input },
  });
  if (started.errors) throw new Error(JSON.stringify(started.errors));
  return started.data!.startRun.run;
}

async function runState(gql: Gql, id: string): Promise<RunState> {
  return (await gql<{ run: RunState }>(RUN, { id })).data!.run;
}

async function queues(gql: Gql): Promise<Record<string, QueueStats>> {
  const result = await gql<{ queues: QueueStats[] }>(QUEUES);
  return Object.fromEntries(result.data!.queues.map((q) => [q.name, q]));
}

const finished = (gql: Gql, ids: string[]) =>
  until(
    'runs to finish',
    async () => {
      const states = await Promise.all(ids.map((id) => runState(gql, id)));
      return states.every((s) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(s.status))
        ? states
        : undefined;
    },
    60_000,
  );

async function events(stack: Stack, runId: string): Promise<Event[]> {
  const client = wsClient(stack.api.url, stack.alpha.key);
  const result = await collect<{ runEvents: Event }>(client, EVENTS, { runId }).done;
  await client.dispose();
  expect(result.error).toBeUndefined();
  return result.items.map((m) => m.runEvents);
}

// The order a worker must take the waiting runs of the second test in: priority, then age.
const ORDER = ['high', 'highLater', 'enterprise', 'middle', 'starter', 'low'];

const square = (o: number) => [
  { x: o, y: o },
  { x: o + 30, y: o },
  { x: o + 30, y: o + 30 },
  { x: o, y: o + 30 },
];

describe('priorities, queue positions and batch start', () => {
  let stack: Stack;
  let worker: Awaited<ReturnType<typeof startWorkers>> | undefined;
  // The runs of the first test, by name, for the second to watch being taken.
  const waiting: Record<string, string> = {};

  beforeAll(async () => {
    // No worker at first, so that runs wait; then one taking a single job at a time.
    stack = await startStack({ worker: false, env: { PAKATI_WORKER_CONCURRENCY: '1' } });
    await stack.platform.identity.setTier(stack.beta.organizationId, 'ENTERPRISE');
  });
  afterAll(async () => {
    await worker?.close();
    await stack?.stop();
  });

  it('refuses an unknown tier with a typed error', async () => {
    await expect(stack.platform.identity.setTier(stack.alpha.organizationId, 'GOLD')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'tier' },
    });
  });

  it('rejects a priority outside 1..10', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    for (const priority of [0, 11]) {
      const result = await stack.alpha.gql(START_RUN, { input: { projectId, kind: 'GENERATE', priority } });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('queues runs by priority then age, with tier defaults; cancelling a queued run removes all its jobs', async () => {
    const alpha = await projectWithRegion(stack.alpha.gql);
    const beta = await projectWithRegion(stack.beta.gql);
    // Three regions, so three waiting children under one parent, all ahead of everything else.
    const created = await stack.alpha.gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
      input: { name: 'Three', width: 128, height: 96 },
    });
    const threeId = created.data!.createProject.project.id;
    const regionIds: string[] = [];
    for (const o of [0, 30, 60]) {
      const added = await stack.alpha.gql<{ addRegion: { region: { id: string } } }>(ADD_REGION, {
        input: { projectId: threeId, prompt: `square at ${o}`, points: square(o) },
      });
      regionIds.push(added.data!.addRegion.region.id);
    }
    const first = await startRun(stack.alpha.gql, { projectId: threeId, priority: 10 });

    waiting.low = (await startRun(stack.alpha.gql, { projectId: alpha.projectId, priority: 2 })).id;
    waiting.high = (await startRun(stack.alpha.gql, { projectId: alpha.projectId, priority: 9 })).id;
    const starter = await startRun(stack.alpha.gql, { projectId: alpha.projectId });
    waiting.starter = starter.id;
    waiting.highLater = (await startRun(stack.alpha.gql, { projectId: alpha.projectId, priority: 9 })).id;
    const enterprise = await startRun(stack.beta.gql, { projectId: beta.projectId });
    waiting.enterprise = enterprise.id;
    waiting.middle = (await startRun(stack.alpha.gql, { projectId: alpha.projectId, priority: 5 })).id;
    expect(starter.priority).toBe(3);
    expect(enterprise.priority).toBe(7);

    expect((await runState(stack.alpha.gql, first.id)).queuePosition).toBe(1);
    expect((await runState(stack.alpha.gql, waiting.high)).queuePosition).toBe(4);
    let generation = (await queues(stack.alpha.gql)).generation!;
    expect(generation).toMatchObject({ prioritized: 9, waitingChildren: 7, active: 0, workers: 0 });

    const firstId = rawId(first.id);
    const queue = stack.platform.queues.queue(composeRunJob.queue);
    const jobIds = [firstId, ...regionIds.map((regionId) => regionJobId(firstId, rawId(regionId)))];
    const pending = await stack.platform.queueStats.pendingJobs(firstId);
    expect(pending[0]).toMatchObject({ id: firstId, state: 'waiting-children' });
    expect(
      pending
        .slice(1)
        .map((j) => `${j.id} ${j.state}`)
        .sort(),
    ).toEqual(
      jobIds
        .slice(1)
        .map((id) => `${id} prioritized`)
        .sort(),
    );
    const cancelled = await stack.alpha.gql<{ cancelRun: { run: { status: string } } }>(CANCEL_RUN, {
      id: first.id,
    });
    expect(cancelled.data!.cancelRun.run.status).toBe('CANCELLED');
    // The parent and every waiting child of the cancelled run are gone; nothing of the others is.
    for (const id of jobIds) expect(await queue.getJob(id)).toBeUndefined();
    expect(await stack.platform.queueStats.pendingJobs(firstId)).toEqual([]);
    expect((await runState(stack.alpha.gql, first.id)).queuePosition).toBeNull();
    generation = (await queues(stack.alpha.gql)).generation!;
    expect(generation).toMatchObject({ prioritized: 6, waitingChildren: 6 });

    const gqlOf = (name: string) => (name === 'enterprise' ? stack.beta.gql : stack.alpha.gql);
    const positions = await Promise.all(
      ORDER.map(async (name) => (await runState(gqlOf(name), waiting[name]!)).queuePosition),
    );
    expect(positions).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a worker taking one job at a time starts the runs in that order', async () => {
    worker = await startWorkers(stack.platform);
    const ids = ORDER.map((name) => waiting[name]!);
    const states = await finished(
      stack.alpha.gql,
      ids.filter((id) => id !== waiting.enterprise),
    );
    const enterprise = (await finished(stack.beta.gql, [waiting.enterprise!]))[0]!;
    const all = ORDER.map((name) => (name === 'enterprise' ? enterprise : states.shift()!));
    expect(all.map((s) => s.status)).toEqual(ORDER.map(() => 'SUCCEEDED'));
    const started = all.map((s) => Date.parse(s.startedAt!));
    expect(started).toEqual([...started].sort((a, b) => a - b));
    expect(all.map((s) => s.queuePosition)).toEqual(ORDER.map(() => null));
    expect((await queues(stack.alpha.gql)).generation).toMatchObject({ workers: 1, prioritized: 0 });
  });

  it('starts a batch in one call: shared batch id, one run per seed, the same batch again for the same key', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const input = {
      projectId,
      kind: 'GENERATE',
      seeds: [11, 12, 13],
      priority: 6,
      idempotencyKey: 'nightly-1',
    };
    type Started = {
      startRuns: { batchId: string; runs: { id: string; seed: number; priority: number; batchId: string }[] };
    };
    const first = await stack.alpha.gql<Started>(START_RUNS, { input });
    expect(first.errors).toBeUndefined();
    const batch = first.data!.startRuns;
    expect(batch.runs.map((r) => r.seed)).toEqual([11, 12, 13]);
    expect(batch.runs.every((r) => r.batchId === batch.batchId && r.priority === 6)).toBe(true);
    const again = await Promise.all([
      stack.alpha.gql<Started>(START_RUNS, { input }),
      stack.alpha.gql<Started>(START_RUNS, { input: { ...input, seeds: [99] } }),
    ]);
    for (const repeat of again) {
      expect(repeat.data!.startRuns.batchId).toBe(batch.batchId);
      expect(repeat.data!.startRuns.runs.map((r) => r.id)).toEqual(batch.runs.map((r) => r.id));
    }
    // Racing first calls with one key: one batch wins, the other call returns it.
    const raced = await Promise.all(
      [1, 2].map(() =>
        stack.alpha.gql<Started>(START_RUNS, {
          input: { projectId, kind: 'GENERATE', count: 2, idempotencyKey: 'race' },
        }),
      ),
    );
    expect(raced[0]!.data!.startRuns.runs.map((r) => r.id)).toEqual(
      raced[1]!.data!.startRuns.runs.map((r) => r.id),
    );
    expect(new Set(raced[0]!.data!.startRuns.runs.map((r) => r.seed)).size).toBe(2);

    const variants = await stack.alpha.gql<Started>(START_RUNS, {
      input: { projectId, kind: 'GENERATE', variants: [{ seed: 21 }, { seed: 22, backend: 'procedural' }] },
    });
    expect(variants.data!.startRuns.runs.map((r) => r.seed)).toEqual([21, 22]);
    expect(variants.data!.startRuns.runs.map((r) => r.priority)).toEqual([3, 3]);

    const ids = [batch, raced[0]!.data!.startRuns, variants.data!.startRuns].flatMap((b) =>
      b.runs.map((r) => r.id),
    );
    const states = await finished(stack.alpha.gql, ids);
    expect(states.map((s) => s.status)).toEqual(ids.map(() => 'SUCCEEDED'));
    expect((await runState(stack.alpha.gql, ids[0]!)).batchId).toBe(batch.batchId);
  });

  it('rejects a batch that is not exactly one of seeds, count or variants, or is too big', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    for (const bad of [
      { seeds: [1], count: 1 },
      {},
      { seeds: [] },
      { count: 1001 },
      { variants: [{ backend: 'no-such-backend' }] },
    ]) {
      const result = await stack.alpha.gql(START_RUNS, { input: { projectId, kind: 'GENERATE', ...bad } });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('has no Bull Board without an admin token', async () => {
    expect((await fetch(`${stack.api.url}/admin/queues`)).status).toBe(404);
  });
});

describe('cancel, retries and the admin board on a slow HTTP backend', () => {
  const ADMIN_TOKEN = 'admin-token-for-the-queue-board-0001';
  let fake: Awaited<ReturnType<typeof startStabilityFake>>;
  let stack: Stack;

  beforeAll(async () => {
    fake = await startStabilityFake({ slowMs: 2500 });
    stack = await startStack({
      env: {
        ...fake.env,
        // Every backend failure reaches the job: retries are BullMQ's here, and the circuit never opens.
        PAKATI_BACKEND_MAX_ATTEMPTS: '1',
        PAKATI_BACKEND_BREAKER_THRESHOLD: '1000',
        PAKATI_WORKER_CONCURRENCY: '4',
        PAKATI_ADMIN_TOKEN: ADMIN_TOKEN,
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  async function runWithPrompt(prompt: string) {
    const { projectId } = await projectWithRegion(stack.alpha.gql, prompt);
    return (await startRun(stack.alpha.gql, { projectId })).id;
  }

  it('cancels exactly the target among runs in flight: its HTTP request is aborted at once, the others finish', async () => {
    const target = await runWithPrompt('hold the target');
    const others = await Promise.all(['slow one', 'slow two', 'slow three'].map(runWithPrompt));
    const callOf = (prompt: string) => fake.calls.find((c) => c.prompt === prompt);
    await until('all four requests in flight', () =>
      ['hold the target', 'slow one', 'slow two', 'slow three'].every(callOf) ? true : undefined,
    );

    const cancelledAt = Date.now();
    const cancelled = await stack.alpha.gql<{ cancelRun: { run: { status: string } } }>(CANCEL_RUN, {
      id: target,
    });
    expect(cancelled.data!.cancelRun.run.status).toBe('CANCELLED');
    const held = callOf('hold the target')!;
    await until('the backend to see the request dropped', () => held.abandonedAt ?? undefined, 2000);
    expect(held.abandonedAt! - cancelledAt).toBeLessThan(2000);
    expect(held.answered).toBe(false);

    const targetEvents = await events(stack, target);
    expect(targetEvents.at(-1)!.type).toBe('CANCELLED');
    const states = await finished(stack.alpha.gql, others);
    expect(states.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // They were already in flight when the target was cancelled, and were answered.
    for (const prompt of ['slow one', 'slow two', 'slow three']) {
      expect(callOf(prompt)!.receivedAt).toBeLessThan(cancelledAt);
      expect(callOf(prompt)!.answered).toBe(true);
    }
    const after = await runState(stack.alpha.gql, target);
    expect(after.status).toBe('CANCELLED');
    expect(after.steps).toEqual([]);
    expect(after.failures).toEqual([]);
  });

  it('retries a retryable failure with exponential backoff, and keeps it in the history', async () => {
    const runId = await runWithPrompt('flaky harbour');
    const seen = await events(stack, runId);
    const retries = seen.filter((e) => e.type === 'RETRY');
    expect(retries).toEqual([
      expect.objectContaining({
        jobName: 'render-region',
        attempt: 1,
        code: 'BACKEND_UNAVAILABLE',
        delayMs: 2000,
      }),
    ]);
    expect(seen.at(-1)!.type).toBe('COMPLETED');
    const state = await runState(stack.alpha.gql, runId);
    expect(state.status).toBe('SUCCEEDED');
    expect(state.failures).toEqual([
      expect.objectContaining({
        jobName: 'render-region',
        attempt: 1,
        code: 'BACKEND_UNAVAILABLE',
        willRetry: true,
      }),
    ]);
    expect(state.failures[0]!.message).toMatch(/worker restarting/);
  });

  it('fails a run that exhausts its retries, with every attempt in its history; a lasting error is not retried', async () => {
    const broken = await runWithPrompt('broken harbour');
    const refused = await runWithPrompt('refused harbour');
    const brokenEvents = await events(stack, broken);
    expect(brokenEvents.filter((e) => e.type === 'RETRY').map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 2000],
      [2, 4000],
    ]);
    expect(brokenEvents.at(-1)).toMatchObject({ type: 'FAILED', error: { code: 'BACKEND_UNAVAILABLE' } });
    const state = await runState(stack.alpha.gql, broken);
    expect(state.status).toBe('FAILED');
    expect(state.failures.map((f) => [f.attempt, f.willRetry, f.code])).toEqual([
      [1, true, 'BACKEND_UNAVAILABLE'],
      [2, true, 'BACKEND_UNAVAILABLE'],
      [3, false, 'BACKEND_UNAVAILABLE'],
    ]);
    const rows = await stack.platform.orm.em.fork().find(RunFailureSchema, { run: rawId(broken) });
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.worker?.includes(`:${process.pid}:`))).toBe(true);

    const refusedEvents = await events(stack, refused);
    expect(refusedEvents.filter((e) => e.type === 'RETRY')).toEqual([]);
    expect(refusedEvents.at(-1)).toMatchObject({
      type: 'FAILED',
      error: { code: 'BACKEND_INVALID_REQUEST' },
    });
    expect((await runState(stack.alpha.gql, refused)).failures.map((f) => [f.attempt, f.willRetry])).toEqual([
      [1, false],
    ]);
  });

  it('serves Bull Board at /admin/queues to administrators only', async () => {
    const board = `${stack.api.url}/admin/queues`;
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const anonymous = await fetch(board);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    for (const authorization of [
      `Bearer ${ADMIN_TOKEN}x`,
      basic('root', ADMIN_TOKEN),
      basic('admin', 'wrong'),
      `Bearer ${stack.alpha.key}`,
    ]) {
      expect((await fetch(board, { headers: { authorization } })).status).toBe(401);
    }
    const page = await fetch(board, { headers: { authorization: basic('admin', ADMIN_TOKEN) } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<html/i);
    const api = await fetch(`${board}/api/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(api.status).toBe(200);
    const listed = (await api.json()) as { queues: { name: string }[] };
    expect(listed.queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
  });
});
