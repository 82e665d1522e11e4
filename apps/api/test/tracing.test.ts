import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import {
  createLogger,
  createPlatform,
  loadConfig,
  type Platform,
  queueTelemetry,
  startTelemetry,
} from '@pakati/platform';
import { collect, createTenant, createTestDatabase, httpClient, wsClient } from '@pakati/testkit';
import { startWorkers } from '@pakati/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../src/server.ts';
import { ADD_REGION, CREATE_PROJECT, RUN_EVENTS, type RunEventMessage } from './harness.ts';
import { exited, freePort, processGroup, waitReady } from './processes.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string } }[];
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CONSUMER = 5;

/** A stand-in OpenTelemetry collector: OTLP/HTTP with JSON bodies on POST /v1/traces, as the real one takes them. */
function fakeCollector() {
  const exports: OtlpExport[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return res.writeHead(404).end();
      if (!req.headers['content-type']?.includes('application/json')) return res.writeHead(415).end();
      exports.push(JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return {
    server,
    spans: () =>
      exports.flatMap((e) =>
        e.resourceSpans.flatMap((r) => {
          const service = r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
          return r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ ...span, service })));
        }),
      ),
  };
}

const attribute = (span: OtlpSpan, key: string) =>
  span.attributes.find((a) => a.key === key)?.value.stringValue;

/** Runs a one-region GENERATE run through an API, named so that its operation's span can be found. */
async function tracedRun(apiUrl: string, key: string, operationName: string) {
  const gql = httpClient(apiUrl, key);
  const project = await gql<{ createProject: { project: { id: string } } }>(CREATE_PROJECT, {
    input: { name: 'Traced', width: 64, height: 64 },
  });
  const projectId = project.data!.createProject.project.id;
  await gql(ADD_REGION, {
    input: {
      projectId,
      prompt: 'a green hill',
      points: [
        { x: 0, y: 0 },
        { x: 60, y: 0 },
        { x: 30, y: 60 },
      ],
    },
  });
  const started = await gql<{ startRun: { run: { id: string } } }>(
    `mutation ${operationName}($input: StartRunInput!) { startRun(input: $input) { run { id } } }`,
    { input: { projectId, kind: 'GENERATE', seed: 3 } },
  );
  expect(started.errors).toBeUndefined();
  const client = wsClient(apiUrl, key);
  const events = await collect<RunEventMessage>(client, RUN_EVENTS, {
    runId: started.data!.startRun.run.id,
    after: 0,
  }).done;
  await client.dispose();
  expect(events.items.at(-1)?.runEvents.type).toBe('COMPLETED');
}

const processes = processGroup();
let env: Record<string, string>;
let collectorUrl: string;
let collector: ReturnType<typeof fakeCollector>;
let sdk: ReturnType<typeof startTelemetry>;
let platform: Platform;
let api: ApiServer;
let worker: Awaited<ReturnType<typeof startWorkers>>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  collector = fakeCollector();
  const server: Server = collector.server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pakati-test-'));
  collectorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Shared with the spawned processes, which must sign and check keys and image URLs alike.
  env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL!,
    PAKATI_DATA_DIR: dataDir,
    PAKATI_URL_SIGNING_SECRET: randomBytes(32).toString('hex'),
    PAKATI_SESSION_SECRET: randomBytes(32).toString('hex'),
  };
  const config = loadConfig({
    ...env,
    LOG_LEVEL: 'silent',
    PAKATI_QUEUE_PREFIX: `pakati-test-${randomBytes(4).toString('hex')}`,
    PAKATI_OTEL_ENDPOINT: collectorUrl,
  });
  // As main.ts does: the SDK first, then the platform whose queues carry the trace context.
  sdk = startTelemetry(config, 'api');
  platform = await createPlatform(config, 'test', { queueTelemetry: queueTelemetry(config) });
  api = await startApiServer(platform, 0);
  worker = await startWorkers(platform);
  cleanup = async () => {
    await platform.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
});
afterAll(async () => {
  processes.killAll();
  await worker?.close();
  await api?.close();
  await sdk?.shutdown();
  await cleanup?.();
  await new Promise<void>((resolve) => collector?.server.close(() => resolve()));
});

describe('OpenTelemetry tracing', () => {
  it('starts no SDK and gives the queues no telemetry without an OTLP endpoint', () => {
    const untraced = loadConfig({ DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x' });
    expect(startTelemetry(untraced, 'api')).toBeNull();
    expect(queueTelemetry(untraced)).toBeUndefined();
  });

  it("carries one trace from the API's GraphQL operation across the queue into the worker's jobs", async () => {
    const { key } = await createTenant(platform, 'alpha');
    await tracedRun(api.url, key, 'StartTracedRun');
    await worker.close();
    await sdk!.shutdown(); // flushes every span still batched

    const spans = collector.spans();
    const operation = spans.find((s) => s.name === 'graphql.mutation StartTracedRun');
    expect(operation, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(operation!.kind).toBe(SPAN_KIND_SERVER);
    expect(operation!.service).toBe('pakati-api');
    expect(attribute(operation!, 'graphql.operation.name')).toBe('StartTracedRun');

    const jobs = spans.filter((s) => s.kind === SPAN_KIND_CONSUMER && s.traceId === operation!.traceId);
    const jobNames = jobs.map((s) => attribute(s, 'bullmq.job.name'));
    expect(jobNames).toContain('render-region');
    expect(jobNames).toContain('compose-run');
    // A different operation is a different trace.
    const createProject = spans.find((s) => s.name.startsWith('graphql.mutation') && s !== operation);
    expect(createProject?.traceId).not.toBe(operation!.traceId);
  });

  it('carries the trace from a separate API process into a separate worker process, each exporting its spans', async () => {
    const { key } = await createTenant(platform, 'separate');
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    // A queue prefix of their own: the in-process worker above must not take these jobs.
    const shared = {
      ...env,
      PAKATI_QUEUE_PREFIX: `pakati-test-${randomBytes(4).toString('hex')}`,
      PAKATI_API_PORT: String(port),
    };
    // Each name for the endpoint once: main.ts reads both.
    const apiProcess = processes.launch('api', { ...shared, PAKATI_OTEL_ENDPOINT: collectorUrl });
    const workerProcess = processes.launch('worker', {
      ...shared,
      PAKATI_WORKER_HTTP_PORT: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    });
    await waitReady(apiUrl);
    await tracedRun(apiUrl, key, 'StartSeparateRun');
    // A graceful stop shuts each SDK down, which flushes the spans it still holds.
    workerProcess.kill('SIGTERM');
    apiProcess.kill('SIGTERM');
    expect(await exited(workerProcess)).toBe(0);
    expect(await exited(apiProcess)).toBe(0);

    const spans = collector.spans();
    const operation = spans.find((s) => s.name === 'graphql.mutation StartSeparateRun');
    expect(operation, spans.map((s) => s.name).join(', ')).toBeDefined();
    expect(operation!.service).toBe('pakati-api');
    const jobs = spans.filter((s) => s.kind === SPAN_KIND_CONSUMER && s.traceId === operation!.traceId);
    expect(new Set(jobs.map((s) => s.service))).toEqual(new Set(['pakati-worker']));
    const jobNames = jobs.map((s) => attribute(s, 'bullmq.job.name'));
    expect(jobNames).toContain('render-region');
    expect(jobNames).toContain('compose-run');
  });

  it('stamps log lines written inside a span with its trace and span ids', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('test', 'info', { destination });
    const span = trace.getTracer('test').startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    span.end();
    logger.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l));
    expect(inside).toMatchObject({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
    expect(inside.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(outside.traceId).toBeUndefined();
  });
});
