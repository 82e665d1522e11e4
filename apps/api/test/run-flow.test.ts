import { collect, wsClient } from '@pakati/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  projectWithRegion,
  RUN_EVENTS,
  type RunEventMessage,
  START_RUN,
  type Stack,
  startStack,
} from './harness.ts';

let stack: Stack;
beforeAll(async () => {
  // Every progress update becomes an event here: the test reads their order, not their rate.
  stack = await startStack({ env: { PAKATI_PROGRESS_INTERVAL_MS: '0' } });
});
afterAll(async () => {
  await stack?.stop();
});

async function runToCompletion(seed: number) {
  const { projectId } = await projectWithRegion(stack.alpha.gql);
  const started = await stack.alpha.gql<{ startRun: { run: { id: string; status: string; seed: number } } }>(
    START_RUN,
    {
      input: { projectId, kind: 'GENERATE', seed },
    },
  );
  expect(started.errors).toBeUndefined();
  const run = started.data!.startRun.run;
  const client = wsClient(stack.api.url, stack.alpha.key);
  const { done } = collect<RunEventMessage>(client, RUN_EVENTS, { runId: run.id, after: 0 });
  const result = await done;
  await client.dispose();
  expect(result.error).toBeUndefined();
  return { run, events: result.items.map((m) => m.runEvents) };
}

describe('a run from GraphQL to image', () => {
  it('streams QUEUED, STARTED, >= 5 PROGRESS and COMPLETED with seq 1..n, then serves the PNG', async () => {
    const { run, events } = await runToCompletion(1234);
    expect(run.status).toBe('QUEUED');
    expect(run.seed).toBe(1234);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]!.type).toBe('QUEUED');
    expect(events[1]!.type).toBe('STARTED');
    expect(events.at(-1)!.__typename).toBe('RunCompletedEvent');
    const progress = events.filter((e) => e.type === 'PROGRESS');
    expect(progress.length).toBeGreaterThanOrEqual(5);
    const fractions = progress.map((e) => e.fraction!);
    expect(fractions.every((f, i) => f > 0 && f <= 1 && (i === 0 || f > fractions[i - 1]!))).toBe(true);

    const imageUrl = events.at(-1)!.imageUrl!;
    const image = await fetch(imageUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await image.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');

    const state = await stack.alpha.gql<{ run: { status: string; progress: number; imageUrl: string } }>(
      `query($id: ID!) { run(id: $id) { status progress imageUrl } }`,
      { id: run.id },
    );
    expect(state.data!.run).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
  });

  it('reproduces byte-identical images from the same seed, and different ones from another seed', async () => {
    const download = async (seed: number) => {
      const { events } = await runToCompletion(seed);
      return Buffer.from(await (await fetch(events.at(-1)!.imageUrl!)).arrayBuffer());
    };
    const [a, b, c] = [await download(77), await download(77), await download(78)];
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('replays exactly the events after k, then completes', async () => {
    const { run, events } = await runToCompletion(5);
    for (const k of [0, 1, 3, events.length - 1]) {
      const client = wsClient(stack.api.url, stack.alpha.key);
      const { done } = collect<RunEventMessage>(client, RUN_EVENTS, { runId: run.id, after: k });
      const replay = (await done).items.map((m) => m.runEvents.seq);
      await client.dispose();
      expect(replay).toEqual(events.slice(k).map((e) => e.seq));
    }
    const client = wsClient(stack.api.url, stack.alpha.key);
    const { done } = collect<RunEventMessage>(client, RUN_EVENTS, { runId: run.id, after: events.length });
    expect((await done).items).toEqual([]);
    await client.dispose();
  });

  it('fails a regional-conditioning run with NO_CAPABLE_BACKEND when no backend can do it', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE', regionalConditioning: true },
    });
    const client = wsClient(stack.api.url, stack.alpha.key);
    const { done } = collect<RunEventMessage>(client, RUN_EVENTS, {
      runId: started.data!.startRun.run.id,
      after: 0,
    });
    const events = (await done).items.map((m) => m.runEvents);
    await client.dispose();
    expect(events.at(-1)).toMatchObject({ type: 'FAILED', error: { code: 'NO_CAPABLE_BACKEND' } });
    expect(events.at(-1)!.error!.message).toMatch(/procedural: no regional prompting/);
  });

  it('returns the original run for a reused idempotency key', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const input = { projectId, kind: 'GENERATE', idempotencyKey: 'order-42' };
    const [first, second] = await Promise.all([
      stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, { input }),
      stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, { input }),
    ]);
    const third = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, { input });
    expect(first.data!.startRun.run.id).toBe(second.data!.startRun.run.id);
    expect(third.data!.startRun.run.id).toBe(first.data!.startRun.run.id);
    // The same key in another organization is another run.
    const other = await projectWithRegion(stack.beta.gql);
    const beta = await stack.beta.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { ...input, projectId: other.projectId },
    });
    expect(beta.data!.startRun.run.id).not.toBe(first.data!.startRun.run.id);
  });

  it('cancels a queued run exactly: CANCELLED event, no further events, cannot cancel twice', async () => {
    await using paused = await pauseQueue();
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE' },
    });
    const runId = started.data!.startRun.run.id;
    const cancel = `mutation($id: ID!) { cancelRun(id: $id) { run { id status } } }`;
    const cancelled = await stack.alpha.gql<{ cancelRun: { run: { status: string } } }>(cancel, {
      id: runId,
    });
    expect(cancelled.data!.cancelRun.run.status).toBe('CANCELLED');
    const again = await stack.alpha.gql(cancel, { id: runId });
    expect(again.errors?.[0]?.extensions?.code).toBe('RUN_NOT_CANCELLABLE');
    await paused[Symbol.asyncDispose]();
    const client = wsClient(stack.api.url, stack.alpha.key);
    const { done } = collect<RunEventMessage>(client, RUN_EVENTS, { runId, after: 0 });
    const types = (await done).items.map((m) => m.runEvents.type);
    await client.dispose();
    expect(types).toEqual(['QUEUED', 'CANCELLED']);
  });
});

/** Holds the generation queue so a run stays QUEUED long enough to cancel it. */
async function pauseQueue() {
  const queue = stack.platform.queues.queue('generation');
  await queue.pause();
  let resumed = false;
  return {
    async [Symbol.asyncDispose]() {
      if (resumed) return;
      resumed = true;
      await queue.resume();
    },
  };
}
