import { createProceduralBackend, type ImageBackend } from '@pakati/core';
import { createRedis, OrganizationRunEvents, RedisPubSub, type RunStatusChange } from '@pakati/platform';
import { collect, wsClient } from '@pakati/testkit';
import { BACKEND_FACTORIES, BackendRegistry } from '@pakati/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGate } from './gate.ts';
import { projectWithRegion, START_RUN, type Stack, startStack } from './harness.ts';

/** The only generator: procedural, but it waits at a gate, so a run stays RUNNING while the gate is held. */
function gatedBackend() {
  const base = createProceduralBackend({ name: 'gated' });
  const gate = createGate();
  const backend: ImageBackend = {
    ...base,
    name: 'gated',
    async generate(params, ctx) {
      await gate.passed();
      return base.generate(params, ctx);
    },
  };
  return { backend, hold: gate.hold, release: gate.release };
}

let stack: Stack;
const gated = gatedBackend();
beforeAll(async () => {
  stack = await startStack({
    env: { PAKATI_BACKENDS: 'patchmatch' },
    backends: (config) => new BackendRegistry(config.backends, BACKEND_FACTORIES, [gated.backend]),
  });
});
afterAll(async () => {
  gated.release();
  await stack?.stop();
});

const ORGANIZATION_EVENTS = /* GraphQL */ `
  subscription { organizationRunEvents { runId projectId kind status previousStatus seq at } }
`;

type Change = RunStatusChange;

function subscribe(key: string) {
  const client = wsClient(stack.api.url, key);
  const { items } = collect<{ organizationRunEvents: Change }>(client, ORGANIZATION_EVENTS, {});
  return {
    changes: () => items.map((m) => m.organizationRunEvents),
    of: (runId: string) => items.map((m) => m.organizationRunEvents).filter((c) => c.runId === runId),
    close: () => client.dispose(),
  };
}

async function start(gql: Stack['alpha']['gql'], projectId: string) {
  const started = await gql<{ startRun: { run: { id: string } } }>(START_RUN, {
    input: { projectId, kind: 'GENERATE' },
  });
  expect(started.errors).toBeUndefined();
  return started.data!.startRun.run.id;
}

async function statusOf(gql: Stack['alpha']['gql'], id: string) {
  const res = await gql<{ run: { status: string } }>(`query($id: ID!) { run(id: $id) { status } }`, { id });
  return res.data!.run.status;
}

/** Holds the generation queue so that runs stay QUEUED until released. */
async function pauseQueue() {
  const queue = stack.platform.queues.queue('generation');
  await queue.pause();
  return { resume: () => queue.resume() };
}

describe('organizationRunEvents', () => {
  it("streams QUEUED, RUNNING and SUCCEEDED of the organization's runs, and nothing of another's", async () => {
    const alpha = await projectWithRegion(stack.alpha.gql);
    const beta = await projectWithRegion(stack.beta.gql);
    const paused = await pauseQueue();
    const first = await start(stack.alpha.gql, alpha.projectId);
    const subscriber = subscribe(stack.alpha.key);
    // The first run was queued before subscribing: it arrives from the snapshot, which also says we are live.
    await vi.waitFor(() => expect(subscriber.of(first)).toHaveLength(1));
    const betaRun = await start(stack.beta.gql, beta.projectId);
    const second = await start(stack.alpha.gql, alpha.projectId);
    await vi.waitFor(() => expect(subscriber.of(second)).toHaveLength(1));
    await paused.resume();
    await vi.waitFor(
      async () => {
        for (const id of [first, second]) expect(subscriber.of(id).at(-1)?.status).toBe('SUCCEEDED');
        expect(await statusOf(stack.beta.gql, betaRun)).toBe('SUCCEEDED');
      },
      { timeout: 20_000 },
    );
    await subscriber.close();
    // Unsubscribing ends the stream at once, though nothing more happens in the organization to wake it.
    const channel = `${stack.env.PAKATI_QUEUE_PREFIX}:run-status:${stack.alpha.organizationId}`;
    await vi.waitFor(async () => {
      const [, listeners] = (await stack.platform.redis.pubsub('NUMSUB', channel)) as [string, number];
      expect(listeners).toBe(0);
    });

    for (const id of [first, second]) {
      const changes = subscriber.of(id);
      expect(changes.map((c) => c.status)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
      expect(changes.map((c) => c.previousStatus)).toEqual([null, 'QUEUED', 'RUNNING']);
      expect(changes[0]!.seq).toBe(1);
      expect(changes.every((c, i) => i === 0 || c.seq > changes[i - 1]!.seq)).toBe(true);
      expect(changes.every((c) => c.kind === 'GENERATE' && c.projectId === alpha.projectId)).toBe(true);
    }
    expect(subscriber.changes().filter((c) => ![first, second].includes(c.runId))).toEqual([]);
    expect(subscriber.changes().some((c) => c.runId === betaRun || c.projectId === beta.projectId)).toBe(
      false,
    );
  });

  it('gives a late subscriber the current status of unfinished runs first, then goes live', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const finished = await start(stack.alpha.gql, projectId);
    await vi.waitFor(async () => expect(await statusOf(stack.alpha.gql, finished)).toBe('SUCCEEDED'), {
      timeout: 20_000,
    });
    gated.hold();
    const running = await start(stack.alpha.gql, projectId);
    await vi.waitFor(async () => expect(await statusOf(stack.alpha.gql, running)).toBe('RUNNING'));
    const paused = await pauseQueue();
    const queued = await start(stack.alpha.gql, projectId);

    const subscriber = subscribe(stack.alpha.key);
    await vi.waitFor(() => expect(subscriber.changes()).toHaveLength(2));
    const snapshot = subscriber.changes();
    expect(snapshot.map((c) => [c.runId, c.status, c.previousStatus])).toEqual([
      [running, 'RUNNING', null],
      [queued, 'QUEUED', null],
    ]);
    expect(snapshot[0]!.seq).toBeGreaterThanOrEqual(2);

    gated.release();
    await paused.resume();
    await vi.waitFor(
      () => {
        for (const id of [running, queued]) expect(subscriber.of(id).at(-1)?.status).toBe('SUCCEEDED');
      },
      { timeout: 20_000 },
    );
    await subscriber.close();
    expect(subscriber.of(running).map((c) => c.status)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(subscriber.of(queued).map((c) => c.status)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(subscriber.of(finished)).toEqual([]);
  });

  it('catches up on a change whose message was lost, from the runs updated meanwhile', async () => {
    // A stream on another channel prefix hears nothing live: everything after its snapshot is catch-up.
    const redis = createRedis(stack.env.REDIS_URL!, 'deaf:commands');
    const subscriberConnection = createRedis(stack.env.REDIS_URL!, 'deaf:subscriber', { subscriber: true });
    const deaf = new OrganizationRunEvents(
      stack.platform.orm,
      new RedisPubSub(redis, subscriberConnection, `${stack.env.PAKATI_QUEUE_PREFIX}-deaf`),
      100,
    );
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const paused = await pauseQueue();
    const runId = await start(stack.alpha.gql, projectId);
    const stream = deaf.stream(stack.alpha.organizationId);
    try {
      const raw = Buffer.from(runId, 'base64').toString().split(':')[1]!;
      const seen: Change[] = [];
      for (;;) {
        const next = await stream.next();
        if (next.done) break;
        if (next.value.runId !== raw) continue;
        seen.push(next.value);
        if (seen.length === 1) {
          await stack.alpha.gql(`mutation($id: ID!) { cancelRun(id: $id) { run { id } } }`, { id: runId });
        } else break;
      }
      expect(seen.map((c) => [c.status, c.previousStatus])).toEqual([
        ['QUEUED', null],
        ['CANCELLED', 'QUEUED'],
      ]);
    } finally {
      await paused.resume();
      await stream.return?.();
      subscriberConnection.disconnect();
      await redis.quit();
    }
  });
});
