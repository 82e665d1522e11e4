import { randomBytes } from 'node:crypto';
import {
  collect,
  createTenant,
  createTestEnvironment,
  httpClient,
  type TestEnvironment,
  wsClient,
} from '@pakati/testkit';
import calculateSlot from 'cluster-key-slot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectWithRegion, RUN_EVENTS, type RunEventMessage, START_RUN } from './harness.ts';
import { freePort, processGroup, waitReady } from './processes.ts';

const processes = processGroup();
let environment: TestEnvironment;
let urls: string[];
let key: string;
// A Redis Cluster hash tag as the prefix: every key must then map to one slot.
const prefix = `{pakati-scale-${randomBytes(3).toString('hex')}}`;

beforeAll(async () => {
  environment = await createTestEnvironment({ PAKATI_QUEUE_PREFIX: prefix });
  key = (await createTenant(environment.platform, 'scale')).key;
  const ports = [await freePort(), await freePort()];
  urls = ports.map((port) => `http://127.0.0.1:${port}`);
  for (const port of ports) {
    processes.launch('api', { ...environment.env, PAKATI_API_PORT: String(port), LOG_LEVEL: 'warn' });
  }
  for (let i = 0; i < 2; i++) processes.launch('worker', { ...environment.env, LOG_LEVEL: 'warn' });
  await Promise.all(urls.map((url) => waitReady(url)));
}, 60_000);
afterAll(async () => {
  processes.killAll();
  await environment?.cleanup();
});

describe('two APIs and two workers on one PostgreSQL and Redis', () => {
  it('a subscriber on API A receives every event of runs started through API B, in order, none lost', async () => {
    const [a, b] = urls as [string, string];
    const gqlB = httpClient(b, key);
    const subscriber = wsClient(a, key);
    const runs = await Promise.all(
      [1, 2, 3].map(async (seed) => {
        const { projectId } = await projectWithRegion(gqlB);
        const started = await gqlB<{ startRun: { run: { id: string } } }>(START_RUN, {
          input: { projectId, kind: 'GENERATE', seed },
        });
        expect(started.errors).toBeUndefined();
        return started.data!.startRun.run.id;
      }),
    );
    const streams = await Promise.all(
      runs.map((runId) => collect<RunEventMessage>(subscriber, RUN_EVENTS, { runId, after: 0 }).done),
    );
    await subscriber.dispose();
    for (const stream of streams) {
      expect(stream.error).toBeUndefined();
      const seqs = stream.items.map((m) => m.runEvents.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(stream.items.at(-1)!.runEvents.type).toBe('COMPLETED');
    }
    // Both workers took part, or at least one did: what matters is that the log both APIs serve is the same.
    const viaB = await httpClient(b, key)<{ run: { lastEventSeq: number } }>(
      `query($id: ID!) { run(id: $id) { lastEventSeq } }`,
      { id: runs[0] },
    );
    expect(viaB.data!.run.lastEventSeq).toBe(streams[0]!.items.length);
  });

  it('keeps every Redis key under the hash-tagged prefix in one cluster slot', async () => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await environment.platform.redis.scan(
        cursor,
        'MATCH',
        `${prefix}*`,
        'COUNT',
        1000,
      );
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThan(5);
    const slots = new Set(keys.map((k) => calculateSlot(k)));
    expect(slots.size).toBe(1);
  });
});
