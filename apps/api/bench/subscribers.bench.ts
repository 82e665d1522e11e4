// `pnpm bench` (apps/api), item 2 of the live-progress issue: 1,000 graphql-ws subscribers of one run while events
// are appended at 50 per second, against bare graphql-yoga + the Redis event target measured in the same run.
// Both servers run as child processes so their RSS is their own; the clients live in this process.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTenant, createTestEnvironment, httpClient } from '@pakati/testkit';
import { type Client, createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { freePort, waitReady } from '../test/processes.ts';
import { ms, percentile, printTable } from './bench-kit.ts';

const SUBSCRIBERS = 1000;
const RATE = 50;
const SECONDS = 10;
const EVENTS = RATE * SECONDS;

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

function child(script: string, env: Record<string, string>, cwd: string): ChildProcess {
  return fork(script, [], {
    cwd,
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
}

function clients(url: string, connectionParams: Record<string, string>): Client[] {
  return Array.from({ length: SUBSCRIBERS }, () =>
    createClient({
      url: url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
    }),
  );
}

/** Subscribes every client, runs `produce`, and gathers per-delivery latency and losses. */
async function measure(
  subscribers: Client[],
  query: string,
  variables: Record<string, unknown>,
  pick: (data: Record<string, unknown>) => { seq: number; at: string } | null,
  produce: () => Promise<void>,
  ready: () => Promise<void>,
) {
  const latencies: number[] = [];
  const received = new Array<number>(subscribers.length).fill(0);
  for (const [i, client] of subscribers.entries()) {
    client.subscribe(
      { query, variables },
      {
        next: ({ data }) => {
          const event = pick(data as Record<string, unknown>);
          if (!event) return;
          latencies.push(Date.now() - Date.parse(event.at));
          received[i]! += 1;
        },
        error: (e) => console.error('subscription failed', e),
        complete: () => {},
      },
    );
  }
  await ready();
  const t0 = performance.now();
  await produce();
  // Give the tail a moment to arrive before counting losses.
  const deadline = Date.now() + 5000;
  while (received.some((n) => n < EVENTS) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const seconds = (performance.now() - t0) / 1000;
  const delivered = received.reduce((a, b) => a + b, 0);
  return { latencies, lost: SUBSCRIBERS * EVENTS - delivered, perSecond: delivered / seconds };
}

async function paced(send: (i: number) => Promise<void>) {
  const start = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await send(i);
  }
}

async function bare() {
  const port = await freePort();
  const server = child(
    fileURLToPath(new URL('./bare-yoga-server.ts', import.meta.url)),
    { PORT: String(port) },
    process.cwd(),
  );
  await new Promise((r) => server.once('message', r));
  const redis = new Redis(process.env.REDIS_URL!);
  const subscribers = clients(`http://127.0.0.1:${port}`, {});
  let rss = 0;
  const result = await measure(
    subscribers,
    'subscription($t: String!) { events(topic: $t) { seq at } }',
    { t: 'bench' },
    (d) => d.events as { seq: number; at: string },
    () =>
      paced(async (seq) => {
        await redis.publish('events:bench', JSON.stringify({ seq, at: new Date().toISOString() }));
        if (seq === EVENTS - 1) rss = rssMb(server.pid!);
      }),
    () => new Promise((r) => setTimeout(r, 3000)),
  );
  await Promise.all(subscribers.map((c) => c.dispose()));
  server.kill('SIGKILL');
  redis.disconnect();
  return { ...result, rss };
}

async function pakati() {
  const environment = await createTestEnvironment({ PAKATI_BACKENDS: 'patchmatch' });
  const { platform } = environment;
  const tenant = await createTenant(platform, 'bench');
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const api = child(
    'src/main.ts',
    { ...environment.env, PAKATI_API_PORT: String(port), LOG_LEVEL: 'warn' },
    fileURLToPath(new URL('..', import.meta.url)),
  );
  await waitReady(apiUrl);
  const gql = httpClient(apiUrl, tenant.key);
  const project = await gql<{ createProject: { project: { id: string } } }>(
    `mutation { createProject(input: {name: "bench", width: 64, height: 64}) { project { id } } }`,
  );
  await gql(
    `mutation($p: ID!) { addRegion(input: {projectId: $p, prompt: "noop", points: [{x: 0, y: 0}, {x: 32, y: 0}, {x: 32, y: 32}, {x: 0, y: 32}]}) { region { id } } }`,
    { p: project.data!.createProject.project.id },
  );
  // No worker runs: the bench itself moves the run to RUNNING and appends its events, 50 per second.
  const started = await gql<{ startRun: { run: { id: string } } }>(
    `mutation($p: ID!) { startRun(input: {projectId: $p, kind: GENERATE}) { run { id } } }`,
    { p: project.data!.createProject.project.id },
  );
  const globalId = started.data!.startRun.run.id;
  const runId = Buffer.from(globalId, 'base64').toString().split(':')[1]!;
  await platform.eventLog.transition(runId, { from: ['QUEUED'], to: 'RUNNING', type: 'STARTED' });
  const subscribers = clients(apiUrl, { authorization: `Bearer ${tenant.key}` });
  let rss = 0;
  const result = await measure(
    subscribers,
    'subscription($r: ID!) { runEvents(runId: $r, after: 2) { seq at } }',
    { r: globalId },
    (d) => d.runEvents as { seq: number; at: string },
    () =>
      paced(async (i) => {
        await platform.eventLog.transition(runId, {
          from: ['RUNNING'],
          type: 'STEP',
          payload: { status: 'BENCH', i },
        });
        if (i === EVENTS - 1) rss = rssMb(api.pid!);
      }),
    () => new Promise((r) => setTimeout(r, 3000)),
  );
  await Promise.all(subscribers.map((c) => c.dispose()));
  api.kill('SIGKILL');
  await environment.cleanup();
  return { ...result, rss };
}

const baseline = await bare();
const ours = await pakati();
const p99 = (r: { latencies: number[] }) => percentile(r.latencies, 99);
const met = ours.lost === 0 && p99(ours) <= 50 && p99(ours) <= 1.3 * p99(baseline) && ours.rss <= 250;
printTable(
  `${SUBSCRIBERS} graphql-ws subscribers of one run, ${RATE} events/s for ${SECONDS} s (${EVENTS} events each); target: 0 lost, p99 <= 50 ms and <= 1.3x bare, API RSS <= 250 MB`,
  ['server', 'delivered/s', 'p50', 'p99', 'lost', 'server RSS'],
  [
    [
      'bare graphql-yoga + Redis event target',
      baseline.perSecond.toFixed(0),
      ms(percentile(baseline.latencies, 50)),
      ms(p99(baseline)),
      baseline.lost,
      `${baseline.rss.toFixed(0)} MB`,
    ],
    [
      'Pakati API (auth, durable log, gap-free replay)',
      ours.perSecond.toFixed(0),
      ms(percentile(ours.latencies, 50)),
      ms(p99(ours)),
      ours.lost,
      `${ours.rss.toFixed(0)} MB`,
    ],
  ],
);
console.log(
  `\ntarget: ${met ? 'met' : '**not met**'} (p99 ratio ${(p99(ours) / p99(baseline)).toFixed(2)}x)`,
);
process.exit(0);
