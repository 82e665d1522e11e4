// `pnpm bench` (apps/api), item 2 of the live-progress issue: 1,000 graphql-ws subscribers while events are appended
// at 50 per second, against bare graphql-yoga + the Redis event target measured in the same run. Both servers run
// as child processes so their RSS is their own; the clients live in this process. Two scenarios: the subscribers
// spread over 100 runs (10 watchers per run, 500 deliveries/s: a busy dashboard fleet), and all 1,000 on one run
// (50,000 deliveries/s), which saturates this 2-core machine for both servers and is reported as such.
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
const SCENARIOS = [
  { name: '1,000 subscribers over 100 runs', runs: 100 },
  { name: '1,000 subscribers of one run (saturation)', runs: 1 },
];

interface Server {
  url: string;
  pid: number;
  connectionParams: Record<string, string>;
  /** One topic per run; `send(t, i)` appends event i to topic t and resolves once it is published. */
  topics: string[];
  query: string;
  variables: (topic: string) => Record<string, unknown>;
  pick: (data: Record<string, unknown>) => { at: string };
  send: (topic: string, i: number) => Promise<void>;
  stop: () => Promise<void>;
}

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

/** Subscribes every client (client i watches topic i mod n), sends the events paced, gathers latency and losses. */
async function measure(server: Server) {
  const latencies: number[] = [];
  const expected = (EVENTS / server.topics.length) * SUBSCRIBERS;
  let delivered = 0;
  const clients: Client[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const client = createClient({
      url: `${server.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: server.connectionParams,
      retryAttempts: 0,
    });
    clients.push(client);
    client.subscribe(
      { query: server.query, variables: server.variables(server.topics[i % server.topics.length]!) },
      {
        next: ({ data }) => {
          latencies.push(Date.now() - Date.parse(server.pick(data as Record<string, unknown>).at));
          delivered += 1;
        },
        error: (e) => console.error('subscription failed', e),
        complete: () => {},
      },
    );
  }
  await new Promise((r) => setTimeout(r, 3000 + SUBSCRIBERS * 2)); // every socket connected and subscribed
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const wait = t0 + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await server.send(server.topics[i % server.topics.length]!, i);
  }
  const rss = rssMb(server.pid);
  // Whatever has not arrived 5 s after the last event counts as lost.
  const deadline = Date.now() + 5000;
  while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.dispose()));
  return { latencies, lost: expected - delivered, perSecond: delivered / seconds, rss };
}

async function bare(runs: number): Promise<Server> {
  const port = await freePort();
  const server = child(
    fileURLToPath(new URL('./bare-yoga-server.ts', import.meta.url)),
    { PORT: String(port) },
    process.cwd(),
  );
  await new Promise((r) => server.once('message', r));
  const redis = new Redis(process.env.REDIS_URL!);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: server.pid!,
    connectionParams: {},
    topics: Array.from({ length: runs }, (_, i) => `bench-${i}`),
    query: 'subscription($t: String!) { events(topic: $t) { seq at } }',
    variables: (t) => ({ t }),
    pick: (d) => d.events as { at: string },
    send: async (topic, seq) => {
      await redis.publish(`events:${topic}`, JSON.stringify({ seq, at: new Date().toISOString() }));
    },
    stop: async () => {
      server.kill('SIGKILL');
      redis.disconnect();
    },
  };
}

async function pakati(runs: number): Promise<Server> {
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
  const projectId = project.data!.createProject.project.id;
  await gql(
    `mutation($p: ID!) { addRegion(input: {projectId: $p, prompt: "noop", points: [{x: 0, y: 0}, {x: 32, y: 0}, {x: 32, y: 32}, {x: 0, y: 32}]}) { region { id } } }`,
    { p: projectId },
  );
  // No worker runs: the bench moves the runs to RUNNING itself and appends their events.
  const started = await gql<{ startRuns: { runs: { id: string }[] } }>(
    `mutation($p: ID!, $n: Int!) { startRuns(input: {projectId: $p, kind: GENERATE, count: $n}) { runs { id } } }`,
    { p: projectId, n: runs },
  );
  const ids = started.data!.startRuns.runs.map((r) => r.id);
  const raw = new Map(ids.map((id) => [id, Buffer.from(id, 'base64').toString().split(':')[1]!]));
  for (const id of raw.values()) {
    await platform.eventLog.transition(id, { from: ['QUEUED'], to: 'RUNNING', type: 'STARTED' });
  }
  return {
    url: apiUrl,
    pid: api.pid!,
    connectionParams: { authorization: `Bearer ${tenant.key}` },
    topics: ids,
    query: 'subscription($r: ID!) { runEvents(runId: $r, after: 2) { seq at } }',
    variables: (r) => ({ r }),
    pick: (d) => d.runEvents as { at: string },
    send: async (topic, i) => {
      await platform.eventLog.transition(raw.get(topic)!, {
        from: ['RUNNING'],
        type: 'STEP',
        payload: { status: 'BENCH', i },
      });
    },
    stop: async () => {
      api.kill('SIGKILL');
      await environment.cleanup();
    },
  };
}

const rows: (string | number)[][] = [];
const verdicts: string[] = [];
for (const scenario of SCENARIOS) {
  const results = [];
  for (const [label, start] of [
    ['bare graphql-yoga + Redis event target', bare],
    ['Pakati API (auth, durable log, gap-free replay)', pakati],
  ] as const) {
    const server = await start(scenario.runs);
    const result = await measure(server);
    await server.stop();
    results.push(result);
    rows.push([
      scenario.name,
      label,
      result.perSecond.toFixed(0),
      ms(percentile(result.latencies, 50)),
      ms(percentile(result.latencies, 99)),
      result.lost,
      `${result.rss.toFixed(0)} MB`,
    ]);
  }
  const [baseline, ours] = results as [(typeof results)[0], (typeof results)[0]];
  const p99 = (r: { latencies: number[] }) => percentile(r.latencies, 99);
  const met = ours.lost === 0 && p99(ours) <= 50 && p99(ours) <= 1.3 * p99(baseline) && ours.rss <= 250;
  verdicts.push(
    `${scenario.name}: ${met ? 'met' : '**not met**'} (p99 ratio ${(p99(ours) / p99(baseline)).toFixed(2)}x)`,
  );
}
printTable(
  `graphql-ws subscribers while ${RATE} events/s are appended for ${SECONDS} s; target: 0 lost, p99 <= 50 ms and <= 1.3x bare, API RSS <= 250 MB`,
  ['scenario', 'server', 'delivered/s', 'p50', 'p99', 'lost', 'server RSS'],
  rows,
);
console.log(`\n${verdicts.join('\n')}`);
process.exit(0);
