// `pnpm bench` (apps/api), item 4 of the live-progress issue: one `startRuns` call that starts 1,000 runs (runs,
// QUEUED events and webhook outbox rows in one transaction, one FlowProducer.addBulk), against raw BullMQ addBulk
// of 1,000 flows of the same shape measured in the same run. No worker runs, so nothing competes.
import { randomBytes } from 'node:crypto';
import { FlowProducer } from 'bullmq';
import { Redis } from 'ioredis';
import { benchStack, ms, percentile, printTable } from './bench-kit.ts';

const RUNS = 1000;
const ROUNDS = 3;

const stack = await benchStack({ LOG_LEVEL: 'silent' }, { worker: false });
const pakati: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const t0 = performance.now();
  const res = await stack.gql<{ startRuns: { runs: { id: string }[] } }>(
    `mutation($p: ID!, $n: Int!) { startRuns(input: {projectId: $p, kind: GENERATE, count: $n}) { runs { id } } }`,
    { p: stack.projectId, n: RUNS },
  );
  pakati.push(performance.now() - t0);
  if (res.data?.startRuns.runs.length !== RUNS) throw new Error(JSON.stringify(res.errors));
}
await stack.stop();

const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
const prefix = `bench-raw-${randomBytes(4).toString('hex')}`;
const flows = new FlowProducer({ connection, prefix });
const raw: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const t0 = performance.now();
  await flows.addBulk(
    Array.from({ length: RUNS }, (_, i) => ({
      name: 'compose',
      queueName: 'generation',
      data: { runId: `${round}-${i}` },
      opts: { jobId: `${round}-${i}` },
      children: [{ name: 'region', queueName: 'generation', data: {}, opts: { jobId: `${round}-${i}.r` } }],
    })),
  );
  raw.push(performance.now() - t0);
}
await flows.close();
for (const key of await connection.keys(`${prefix}:*`)) await connection.unlink(key);
connection.disconnect();

const median = percentile(pakati, 50);
printTable(
  `Batch start of ${RUNS} runs (median of ${ROUNDS}); target <= 2 s (ComfyUI: 107 s for 1,000 prompts)`,
  ['raw BullMQ addBulk of 1,000 one-region flows', 'Pakati startRuns(count: 1000) over GraphQL', 'target'],
  [[ms(percentile(raw, 50)), ms(median), median <= 2000 ? 'met' : '**not met**']],
);
process.exit(0);
