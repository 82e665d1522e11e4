import { RunSchema } from '@pakati/db';
import {
  createRedis,
  RedisPubSub,
  RunEventLog,
  type RunEventRecord,
  streamRunEvents,
} from '@pakati/platform';
import { createTenant, createTestEnvironment, type TestEnvironment } from '@pakati/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let environment: TestEnvironment;
let organizationId: string;
beforeAll(async () => {
  environment = await createTestEnvironment();
  organizationId = (await createTenant(environment.platform, 'streams')).organizationId;
});
afterAll(async () => {
  await environment?.cleanup();
});

async function newRun(): Promise<string> {
  const { platform } = environment;
  const project = await platform.projects.createProject(organizationId, { name: 's', width: 8, height: 8 });
  const run = await platform.runs.startRun(organizationId, { projectId: project.id, kind: 'GENERATE' });
  // Keep the worker-less queue from holding jobs we never process.
  await platform.queues.queue('generation').obliterate({ force: true });
  return run.id;
}

async function drain(stream: AsyncGenerator<RunEventRecord>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const event of stream) seqs.push(event.seq);
  return seqs;
}

async function produce(log: RunEventLog, runId: string, progressEvents: number) {
  await log.transition(runId, { from: ['QUEUED'], to: 'RUNNING', type: 'STARTED' });
  for (let i = 1; i <= progressEvents; i++) {
    await log.transition(runId, {
      from: ['RUNNING'],
      type: 'PROGRESS',
      payload: { fraction: i / progressEvents },
    });
    if (i % 7 === 0) await new Promise((r) => setImmediate(r));
  }
  await log.transition(runId, { from: ['RUNNING'], to: 'SUCCEEDED', type: 'COMPLETED' });
}

describe('runEvents stream: replay, then live, no gap, no duplicate', () => {
  it('gives every subscriber exactly seq after+1..n while events are being appended concurrently', async () => {
    const { platform } = environment;
    const runId = await newRun();
    const total = 1 + 1 + 60 + 1; // QUEUED, STARTED, PROGRESS x60, COMPLETED
    const subscribers: Promise<{ after: number; seqs: number[] }>[] = [];
    const producing = produce(platform.eventLog, runId, 60);
    // Subscribers join at different moments with different resume points, racing the producer.
    for (let i = 0; i < 12; i++) {
      const after = (i * 5) % 40;
      subscribers.push(
        drain(
          streamRunEvents({
            runId,
            after,
            pubsub: platform.pubsub,
            loadAfter: (id, s) => platform.eventLog.loadAfter(id, s),
          }),
        ).then((seqs) => ({ after, seqs })),
      );
      await new Promise((r) => setTimeout(r, i));
    }
    await producing;
    for (const { after, seqs } of await Promise.all(subscribers)) {
      expect(seqs).toEqual(Array.from({ length: total - after }, (_, k) => after + 1 + k));
    }
  });

  it('still delivers every event when Redis messages are lost (catch-up reads of the log)', async () => {
    const { platform, env } = environment;
    const runId = await newRun();
    // A writer whose publishes go nowhere: a publisher connection that is already closed.
    const deadPublisher = createRedis(env.REDIS_URL!, 'dead');
    await deadPublisher.quit();
    const silentLog = new RunEventLog(
      platform.orm,
      new RedisPubSub(deadPublisher, deadPublisher, 'nowhere'),
      platform.logger,
    );
    const stream = streamRunEvents({
      runId,
      after: 0,
      pubsub: platform.pubsub,
      loadAfter: (id, s) => platform.eventLog.loadAfter(id, s),
      catchUpIntervalMs: 50,
    });
    const collected = drain(stream);
    await produce(silentLog, runId, 5);
    expect(await collected).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('ends at once for a finished run when nothing is after the given seq', async () => {
    const { platform } = environment;
    const runId = await newRun();
    await produce(platform.eventLog, runId, 2);
    const run = await platform.orm.em.fork().findOneOrFail(RunSchema, { id: runId });
    const seqs = await drain(
      streamRunEvents({
        runId,
        after: run.lastEventSeq,
        pubsub: platform.pubsub,
        loadAfter: (id, s) => platform.eventLog.loadAfter(id, s),
      }),
    );
    expect(seqs).toEqual([]);
  });

  it('refuses transitions from the wrong status, so nothing follows a terminal event', async () => {
    const { platform } = environment;
    const runId = await newRun();
    await produce(platform.eventLog, runId, 1);
    const late = await platform.eventLog.transition(runId, {
      from: ['RUNNING'],
      type: 'PROGRESS',
      payload: {},
    });
    expect(late).toBeNull();
    const cancel = await platform.eventLog.transition(runId, {
      from: ['QUEUED', 'RUNNING'],
      to: 'CANCELLED',
      type: 'CANCELLED',
    });
    expect(cancel).toBeNull();
    const page = await platform.eventLog.loadAfter(runId, 0);
    expect(page.events.map((e) => e.type)).toEqual(['QUEUED', 'STARTED', 'PROGRESS', 'COMPLETED']);
    expect(page.terminal).toBe(true);
  });
});
