// `pnpm bench` (apps/api), items 1 and 3 of the live-progress issue, with a no-op generator so that what is
// measured is Pakati itself (GraphQL, the PostgreSQL event log, BullMQ flows, Redis pub/sub), next to the raw
// baseline measured in the same run: BullMQ with a no-op processor and plain Redis pub/sub, no database, no GraphQL.
import { randomBytes } from 'node:crypto';
import { wsClient } from '@pakati/testkit';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { benchStack, ms, percentile, printTable } from './bench-kit.ts';

const LATENCY_RUNS = 200;
const WARM_UP = 20;
const THROUGHPUT_RUNS = 300;
const IN_FLIGHT = 16;
const CONCURRENCY = 8;

/** Arrival times of keyed messages, whether they come before or after someone starts waiting for them. */
function arrivals() {
  const seen = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  return {
    arrive(key: string) {
      seen.set(key, performance.now());
      waiting.get(key)?.();
    },
    async at(key: string): Promise<number> {
      if (!seen.has(key)) await new Promise<void>((resolve) => waiting.set(key, resolve));
      waiting.delete(key);
      return seen.get(key)!;
    },
  };
}

async function inParallel(total: number, limit: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

async function pakati() {
  const stack = await benchStack({ PAKATI_WORKER_CONCURRENCY: String(CONCURRENCY), LOG_LEVEL: 'silent' });
  const events = arrivals();
  // What a dashboard sees: every status change of the organization's runs, subscribed before anything starts.
  const dashboard = wsClient(stack.api.url, stack.tenant.key);
  dashboard.subscribe<{ organizationRunEvents: { runId: string; status: string } }>(
    { query: 'subscription { organizationRunEvents { runId status } }' },
    {
      next: ({ data }) =>
        events.arrive(`${data!.organizationRunEvents.runId}/${data!.organizationRunEvents.status}`),
      error: (e) => console.error('dashboard subscription failed', e),
      complete: () => {},
    },
  );
  await new Promise((r) => setTimeout(r, 500));
  const startRun = async () => {
    const res = await stack.gql<{ startRun: { run: { id: string } } }>(
      `mutation($p: ID!) { startRun(input: {projectId: $p, kind: GENERATE}) { run { id } } }`,
      { p: stack.projectId },
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.startRun.run.id;
  };

  const queued: number[] = [];
  const running: number[] = [];
  for (let i = 0; i < LATENCY_RUNS + WARM_UP; i++) {
    const t0 = performance.now();
    const runId = await startRun();
    const q = await events.at(`${runId}/QUEUED`);
    const r = await events.at(`${runId}/RUNNING`);
    await events.at(`${runId}/SUCCEEDED`);
    if (i >= WARM_UP) {
      queued.push(q - t0);
      running.push(r - t0);
    }
  }

  const t0 = performance.now();
  await inParallel(THROUGHPUT_RUNS, IN_FLIGHT, async () => {
    const runId = await startRun();
    await events.at(`${runId}/SUCCEEDED`);
  });
  const perSecond = THROUGHPUT_RUNS / ((performance.now() - t0) / 1000);
  await dashboard.dispose();
  await stack.stop();
  return { queued, running, perSecond };
}

/** The same work on bare BullMQ: add a job, announce it on pub/sub, a no-op worker announces its start. */
async function raw() {
  const url = process.env.REDIS_URL!;
  const prefix = `bench-raw-${randomBytes(4).toString('hex')}`;
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const publisher = new Redis(url);
  const subscriber = new Redis(url);
  const events = arrivals();
  const channel = `${prefix}:events`;
  await subscriber.subscribe(channel);
  subscriber.on('message', (_c, message: string) => events.arrive(message));
  const queue = new Queue('noop', { connection, prefix });
  const worker = new Worker(
    'noop',
    async (job) => {
      await publisher.publish(channel, `${job.id}/RUNNING`);
    },
    { connection: new Redis(url, { maxRetriesPerRequest: null }), prefix, concurrency: CONCURRENCY },
  );
  worker.on('completed', (job) => events.arrive(`${job.id}/SUCCEEDED`));
  const add = async (id: string) => {
    await queue.add('noop', {}, { jobId: id, removeOnComplete: true });
    await publisher.publish(channel, `${id}/QUEUED`);
  };

  const queued: number[] = [];
  const running: number[] = [];
  for (let i = 0; i < LATENCY_RUNS + WARM_UP; i++) {
    const id = `l${i}`;
    const t0 = performance.now();
    await add(id);
    const q = await events.at(`${id}/QUEUED`);
    const r = await events.at(`${id}/RUNNING`);
    await events.at(`${id}/SUCCEEDED`);
    if (i >= WARM_UP) {
      queued.push(q - t0);
      running.push(r - t0);
    }
  }
  const t0 = performance.now();
  await inParallel(THROUGHPUT_RUNS, IN_FLIGHT, async (i) => {
    await add(`t${i}`);
    await events.at(`t${i}/SUCCEEDED`);
  });
  const perSecond = THROUGHPUT_RUNS / ((performance.now() - t0) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  for (const r of [connection, publisher, subscriber]) r.disconnect();
  return { queued, running, perSecond };
}

const baseline = await raw();
const ours = await pakati();
const row = (label: string, a: number[], b: number[]) => {
  const [p50, p99, r50, r99] = [percentile(b, 50), percentile(b, 99), percentile(a, 50), percentile(a, 99)];
  return [
    label,
    `${ms(r50)} / ${ms(r99)}`,
    `${ms(p50)} / ${ms(p99)}`,
    `${(p99 / r99).toFixed(2)}x`,
    p99 <= 50 && p99 <= 1.5 * r99 ? 'met' : '**not met**',
  ];
};
printTable(
  `Start -> event at a subscriber, ${LATENCY_RUNS} runs one after another (p50 / p99), no-op generator; target p99 <= 50 ms and <= 1.5x raw`,
  [
    'event',
    'raw BullMQ + Redis pub/sub',
    'Pakati (GraphQL, PostgreSQL log, flow, graphql-ws)',
    'p99 ratio',
    'target',
  ],
  [
    row('first event (QUEUED)', baseline.queued, ours.queued),
    row('worker started (RUNNING)', baseline.running, ours.running),
  ],
);
const ratio = ours.perSecond / baseline.perSecond;
printTable(
  `Completed no-op runs per second, ${THROUGHPUT_RUNS} runs, ${IN_FLIGHT} in flight, worker concurrency ${CONCURRENCY}; target >= 0.25x raw`,
  ['raw BullMQ no-op jobs/s', 'Pakati no-op runs/s', 'ratio', 'target'],
  [
    [
      baseline.perSecond.toFixed(0),
      ours.perSecond.toFixed(1),
      `${ratio.toFixed(2)}x`,
      ratio >= 0.25 ? 'met' : '**not met**',
    ],
  ],
);
process.exit(0);
