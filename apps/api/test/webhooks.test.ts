import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookDeliverySchema, WebhookEndpointSchema } from '@pakati/db';
import { collect, wsClient } from '@pakati/testkit';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  projectWithRegion,
  RUN_EVENTS,
  type RunEventMessage,
  rawId,
  START_RUN,
  type Stack,
  startStack,
} from './harness.ts';

interface Message {
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { runId: string; seq: number };
}
interface Received {
  headers: Record<string, string>;
  body: string;
  /** Null when no known secret verified the signature (answered 401, as a real receiver would). */
  message: Message | null;
  /** When it arrived (ms since the epoch). */
  at: number;
}
interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** A slow receiver: answer after this long. */
  delayMs?: number;
}

/** A receiver as an integrator would write one: verify with `standardwebhooks`, then answer. */
async function startReceiver(answer: (n: number) => Answer = () => ({ status: 200 }), port = 0) {
  const received: Received[] = [];
  const secrets: string[] = [];
  /** `in n` when message n arrived, `out n` when it was answered. */
  const timeline: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      let message: Message | null = null;
      for (const secret of secrets) {
        try {
          message = new Webhook(secret).verify(body, headers) as Message;
          break;
        } catch (error) {
          if (!(error instanceof WebhookVerificationError)) throw error;
        }
      }
      received.push({ headers, body, message, at: Date.now() });
      timeline.push(`in ${received.length}`);
      if (!message) return void res.writeHead(401).end('bad signature');
      const { status, headers: extra, delayMs = 0 } = answer(received.length);
      const n = received.length;
      setTimeout(() => {
        timeline.push(`out ${n}`);
        res.writeHead(status, extra).end(`answer ${n}`);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    secrets,
    timeline,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  receivers.push(receiver);
  return receiver;
}

let stack: Stack;
const receivers: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  stack = await startStack({
    env: {
      PAKATI_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'loopback',
      PAKATI_WEBHOOK_RETRY_SCHEDULE: '50,100,200',
      PAKATI_WEBHOOK_SWEEP_INTERVAL_MS: '300',
      PAKATI_WEBHOOK_MAX_ENDPOINTS: '4',
    },
  });
});
afterEach(async () => {
  // Each test's endpoints go with it, so later runs do not deliver to them.
  await stack.platform.orm.em.fork().nativeDelete(WebhookEndpointSchema, {});
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await stack?.stop();
});

const CREATE = `mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret webhookEndpoint { id url eventTypes disabled } } }`;
const ROTATE = `mutation($input: RotateWebhookSecretInput!) {
  rotateWebhookSecret(input: $input) { secret webhookEndpoint { signingSecrets { createdAt expiresAt } } } }`;
const REDELIVER = `mutation($input: RedeliverWebhookInput!) {
  redeliverWebhook(input: $input) { delivery { id status } } }`;
const ENDPOINT = `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint {
  id disabled deliveries(first: 50) { edges { node {
    id webhookId eventType eventSeq runId status lastStatusCode lastError
    attempts { attempt statusCode error responseBody durationMs }
  } } } } } }`;

interface DeliveryView {
  id: string;
  webhookId: string;
  eventType: string;
  eventSeq: number | null;
  runId: string | null;
  status: string;
  lastStatusCode: number | null;
  lastError: string | null;
  attempts: {
    attempt: number;
    statusCode: number | null;
    error: string | null;
    responseBody: string | null;
  }[];
}

async function createEndpoint(url: string, eventTypes: string[], gql = stack.alpha.gql) {
  const res = await gql<{ createWebhookEndpoint: { secret: string; webhookEndpoint: { id: string } } }>(
    CREATE,
    { input: { url, eventTypes, description: 'test receiver' } },
  );
  expect(res.errors).toBeUndefined();
  return {
    id: res.data!.createWebhookEndpoint.webhookEndpoint.id,
    secret: res.data!.createWebhookEndpoint.secret,
  };
}

async function deliveries(endpointId: string, on = stack): Promise<DeliveryView[]> {
  const res = await on.alpha.gql<{
    node: { disabled: boolean; deliveries: { edges: { node: DeliveryView }[] } } | null;
  }>(ENDPOINT, { id: endpointId });
  expect(res.errors).toBeUndefined();
  return res.data!.node!.deliveries.edges.map((e) => e.node);
}

/** Starts a GENERATE run and waits for its last event; returns its global id and event log. */
async function generate(on = stack) {
  const { projectId } = await projectWithRegion(on.alpha.gql);
  const started = await on.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
    input: { projectId, kind: 'GENERATE', seed: 11 },
  });
  const runId = started.data!.startRun.run.id;
  const client = wsClient(on.api.url, on.alpha.key);
  const { done } = collect<RunEventMessage>(client, RUN_EVENTS, { runId, after: 0 });
  const events = (await done).items.map((m) => m.runEvents);
  await client.dispose();
  expect(events.at(-1)?.type).toBe('COMPLETED');
  return { runId, events };
}

const WEBHOOK_TYPE: Record<string, string> = {
  STARTED: 'run.started',
  PROGRESS: 'run.progress',
  COMPLETED: 'run.completed',
};

const settled = (endpointId: string, count: number, status = 'SUCCEEDED', on = stack) =>
  vi.waitFor(
    async () => {
      const list = await deliveries(endpointId, on);
      expect(list).toHaveLength(count);
      expect(list.every((d) => d.status === status)).toBe(true);
      return list;
    },
    { timeout: 15_000, interval: 50 },
  );

describe('webhook deliveries', () => {
  it('delivers run.started, run.progress and run.completed of a GENERATE run, verified, in seq order', async () => {
    // Slow to answer the first message: later events of the run must still wait their turn.
    const receiver = await startReceiver((n) => ({ status: 200, delayMs: n === 1 ? 500 : 0 }));
    const endpoint = await createEndpoint(receiver.url, ['RUN_STARTED', 'RUN_PROGRESS', 'RUN_COMPLETED']);
    receiver.secrets.push(endpoint.secret);
    const { runId, events } = await generate();
    const expected = events.filter((e) => ['STARTED', 'PROGRESS', 'COMPLETED'].includes(e.type));
    expect(expected.length).toBeGreaterThanOrEqual(3);
    await settled(endpoint.id, expected.length);

    expect(receiver.received.every((r) => r.message !== null)).toBe(true);
    const messages = receiver.received.map((r) => r.message!);
    expect(messages.map((m) => m.data.seq)).toEqual(expected.map((e) => e.seq));
    expect(messages.map((m) => m.type)).toEqual(expected.map((e) => WEBHOOK_TYPE[e.type]));
    expect(messages.every((m) => m.data.runId === runId && m.data.kind === 'GENERATE')).toBe(true);
    // Each message went only once the previous one was answered.
    expect(receiver.timeline).toEqual(messages.flatMap((_, i) => [`in ${i + 1}`, `out ${i + 1}`]));
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(receiver.received[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Pakati-Webhooks/1',
    });

    // Images travel as signed URLs, never inline.
    const completed = messages.at(-1)!;
    expect(completed.data).toMatchObject({ status: 'SUCCEEDED', width: 128, height: 96 });
    expect(completed.data).not.toHaveProperty('imageKey');
    const image = await fetch(String(completed.data.imageUrl));
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
  });

  it('sends an endpoint only the event types it subscribed to', async () => {
    const all = await startReceiver();
    const onlyCompleted = await startReceiver();
    const a = await createEndpoint(all.url, ['RUN_STARTED', 'RUN_PROGRESS', 'RUN_COMPLETED', 'RUN_FAILED']);
    const b = await createEndpoint(onlyCompleted.url, ['RUN_COMPLETED']);
    all.secrets.push(a.secret);
    onlyCompleted.secrets.push(b.secret);
    const { events } = await generate();
    await settled(a.id, events.filter((e) => ['STARTED', 'PROGRESS', 'COMPLETED'].includes(e.type)).length);
    const [delivery] = await settled(b.id, 1);
    expect(delivery!.eventType).toBe('RUN_COMPLETED');
    expect(onlyCompleted.received.map((r) => r.message?.type)).toEqual(['run.completed']);
    expect(all.received.some((r) => r.message?.type === 'run.progress')).toBe(true);
  });

  it('retries a failing receiver with the same webhook-id and logs every attempt', async () => {
    const receiver = await startReceiver((n) => ({ status: n <= 2 ? 500 : 200 }));
    const endpoint = await createEndpoint(receiver.url, ['RUN_COMPLETED']);
    receiver.secrets.push(endpoint.secret);
    await generate();
    const [delivery] = await settled(endpoint.id, 1);
    expect(delivery!.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(delivery!.attempts[0]!.responseBody).toBe('answer 1');
    expect(delivery!.lastStatusCode).toBe(200);
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(ids).toEqual([delivery!.webhookId, delivery!.webhookId, delivery!.webhookId]);
    expect(receiver.received.every((r) => r.message !== null)).toBe(true);

    // Redelivering a delivered message sends it again under the same id.
    const again = await stack.alpha.gql(REDELIVER, { input: { deliveryId: delivery!.id } });
    expect(again.errors).toBeUndefined();
    await vi.waitFor(() => expect(receiver.received).toHaveLength(4), { timeout: 10_000, interval: 50 });
    expect(receiver.received[3]!.headers['webhook-id']).toBe(delivery!.webhookId);
    const [redelivered] = await settled(endpoint.id, 1);
    expect(redelivered!.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
  });

  it("waits as long as a 503's Retry-After asks, even when the schedule says sooner", async () => {
    const receiver = await startReceiver((n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const endpoint = await createEndpoint(receiver.url, ['RUN_COMPLETED']);
    receiver.secrets.push(endpoint.secret);
    await generate();
    const [delivery] = await settled(endpoint.id, 1);
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([503, 200]);
    // The schedule's first retry is 50 ms; the receiver asked for 1 s.
    expect(receiver.received[1]!.at - receiver.received[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('never follows a redirect: a 3xx is a failed attempt and its target is never hit', async () => {
    const target = await startReceiver();
    const redirecting = await startReceiver(() => ({ status: 302, headers: { location: target.url } }));
    const endpoint = await createEndpoint(redirecting.url, ['RUN_COMPLETED']);
    redirecting.secrets.push(endpoint.secret);
    target.secrets.push(endpoint.secret);
    await generate();
    const [delivery] = await settled(endpoint.id, 1, 'FAILED');
    expect(delivery!.attempts).toHaveLength(4);
    for (const attempt of delivery!.attempts) {
      expect(attempt.statusCode).toBe(302);
      expect(attempt.error).toBe(`redirect not followed (location: ${target.url})`);
    }
    expect(target.received).toHaveLength(0);
  });

  it('fails a delivery once the retry schedule is used up; redelivery sends the same webhook-id again', async () => {
    let down = true;
    const receiver = await startReceiver(() => ({ status: down ? 503 : 204 }));
    const endpoint = await createEndpoint(receiver.url, ['RUN_COMPLETED']);
    receiver.secrets.push(endpoint.secret);
    await generate();
    const [failed] = await settled(endpoint.id, 1, 'FAILED');
    // The first attempt and one retry per entry of the schedule (50,100,200).
    expect(failed!.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503, 503]);
    expect(failed!.lastStatusCode).toBe(503);

    down = false;
    const res = await stack.alpha.gql<{ redeliverWebhook: { delivery: { status: string } } }>(REDELIVER, {
      input: { deliveryId: failed!.id },
    });
    expect(res.data!.redeliverWebhook.delivery.status).toBe('PENDING');
    const [delivered] = await settled(endpoint.id, 1);
    expect(delivered!.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503, 503, 204]);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([failed!.webhookId]),
    );
  });

  it('disables the endpoint when the receiver answers 410 Gone', async () => {
    const receiver = await startReceiver(() => ({ status: 410 }));
    const endpoint = await createEndpoint(receiver.url, ['RUN_COMPLETED']);
    receiver.secrets.push(endpoint.secret);
    await generate();
    const [delivery] = await settled(endpoint.id, 1, 'FAILED');
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([410]);
    const view = await stack.alpha.gql<{ node: { disabled: boolean } }>(ENDPOINT, { id: endpoint.id });
    expect(view.data!.node.disabled).toBe(true);
    const redeliver = await stack.alpha.gql(REDELIVER, { input: { deliveryId: delivery!.id } });
    expect(redeliver.errors?.[0]?.extensions).toMatchObject({
      code: 'PRECONDITION_FAILED',
      reason: 'ENDPOINT_DISABLED',
    });
  });

  it('signs with the old and the new secret during a rotation overlap, and only the new one after', async () => {
    const receiver = await startReceiver();
    const endpoint = await createEndpoint(receiver.url, ['RUN_COMPLETED']);
    const rotated = await stack.alpha.gql<{
      rotateWebhookSecret: {
        secret: string;
        webhookEndpoint: { signingSecrets: { expiresAt: string | null }[] };
      };
    }>(ROTATE, { input: { id: endpoint.id, overlapSeconds: 3600 } });
    const newSecret = rotated.data!.rotateWebhookSecret.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(endpoint.secret);
    const secrets = rotated.data!.rotateWebhookSecret.webhookEndpoint.signingSecrets;
    expect(secrets.map((s) => s.expiresAt === null)).toEqual([false, true]);
    receiver.secrets.push(newSecret);
    await generate();
    await settled(endpoint.id, 1);
    const during = receiver.received[0]!;
    expect(during.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, newSecret]) {
      expect(new Webhook(secret).verify(during.body, during.headers)).toMatchObject({
        type: 'run.completed',
      });
    }

    const ended = await stack.alpha.gql<{ rotateWebhookSecret: { secret: string } }>(ROTATE, {
      input: { id: endpoint.id, overlapSeconds: 0 },
    });
    const newest = ended.data!.rotateWebhookSecret.secret;
    receiver.secrets.push(newest);
    await generate();
    await settled(endpoint.id, 2);
    const after = receiver.received[1]!;
    expect(after.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(new Webhook(newest).verify(after.body, after.headers)).toMatchObject({ type: 'run.completed' });
    for (const secret of [endpoint.secret, newSecret]) {
      expect(() => new Webhook(secret).verify(after.body, after.headers)).toThrow(WebhookVerificationError);
    }
  });

  it('sends a committed delivery whose job was lost (the sweep enqueues it again)', async () => {
    const receiver = await startReceiver();
    const endpoint = await createEndpoint(receiver.url, ['RUN_COMPLETED']);
    receiver.secrets.push(endpoint.secret);
    const em = stack.platform.orm.em.fork();
    const orphan = em.create(WebhookDeliverySchema, {
      organization: stack.alpha.organizationId,
      endpoint: rawId(endpoint.id),
      eventType: 'run.completed',
      payload: { type: 'run.completed', timestamp: new Date().toISOString(), data: { seq: 1 } },
      nextAttemptAt: new Date(Date.now() - 60_000),
    });
    await em.flush();
    const [delivery] = await settled(endpoint.id, 1);
    expect(delivery!.webhookId).toBe(`msg_${orphan.id.replaceAll('-', '')}`);
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([delivery!.webhookId]);
  });
});

describe('webhook endpoints', () => {
  it.each([
    ['a private address', 'http://10.0.0.7/hooks', 'url', 'WEBHOOK_TARGET_FORBIDDEN'],
    ['link-local metadata', 'http://169.254.169.254/latest', 'url', 'WEBHOOK_TARGET_FORBIDDEN'],
    ['credentials in the URL', 'http://user:pw@127.0.0.1:9/hooks', 'url', 'CREDENTIALS_IN_URL'],
    ['another scheme', 'file:///etc/passwd', 'url', 'UNSUPPORTED_SCHEME'],
  ])('refuses %s as a typed error and stores nothing', async (_label, url, field, reason) => {
    const res = await stack.alpha.gql(CREATE, { input: { url, eventTypes: ['RUN_COMPLETED'] } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, reason });
    expect(await stack.platform.orm.em.fork().count(WebhookEndpointSchema, {})).toBe(0);
  });

  it('refuses a fifth endpoint of an organization (the limit here is 4), and takes one again after a delete', async () => {
    const receiver = await startReceiver();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await createEndpoint(receiver.url, ['RUN_COMPLETED'])).id);
    const fifth = await stack.alpha.gql(CREATE, {
      input: { url: receiver.url, eventTypes: ['RUN_COMPLETED'] },
    });
    expect(fifth.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'TOO_MANY_ENDPOINTS',
    });
    // Another organization has its own allowance.
    await createEndpoint(receiver.url, ['RUN_COMPLETED'], stack.beta.gql);
    const deleted = await stack.alpha.gql(
      `mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { deletedWebhookEndpointId } }`,
      { input: { id: ids[0] } },
    );
    expect(deleted.errors).toBeUndefined();
    await createEndpoint(receiver.url, ['RUN_COMPLETED']);
  });

  it('refuses an empty event list', async () => {
    const res = await stack.alpha.gql(CREATE, { input: { url: 'http://127.0.0.1:9/', eventTypes: [] } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eventTypes' });
  });

  it("keeps one organization's endpoints and deliveries from another", async () => {
    const receiver = await startReceiver();
    const endpoint = await createEndpoint(receiver.url, ['RUN_COMPLETED']);
    receiver.secrets.push(endpoint.secret);
    await generate();
    const [delivery] = await settled(endpoint.id, 1);
    const beta = stack.beta.gql;

    const list = await beta<{ webhookEndpoints: { edges: unknown[] } }>(
      '{ webhookEndpoints(first: 10) { edges { node { id } } } }',
    );
    expect(list.data!.webhookEndpoints.edges).toEqual([]);
    const seen = await beta<{ a: unknown; b: unknown }>(
      'query($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }',
      { a: endpoint.id, b: delivery!.id },
    );
    expect(seen.data).toEqual({ a: null, b: null });
    const attempts = [
      [
        `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { webhookEndpoint { id } } }`,
        { id: endpoint.id, disabled: true },
      ],
      [
        `mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { deletedWebhookEndpointId } }`,
        { id: endpoint.id },
      ],
      [ROTATE, { id: endpoint.id }],
      [REDELIVER, { deliveryId: delivery!.id }],
    ] as const;
    for (const [mutation, input] of attempts) {
      const res = await beta(mutation, { input });
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const mine = await deliveries(endpoint.id);
    expect(mine.map((d) => d.attempts.length)).toEqual([1]);
    const own = await stack.alpha.gql<{ node: { disabled: boolean } }>(ENDPOINT, { id: endpoint.id });
    expect(own.data!.node.disabled).toBe(false);
  });
});

describe('without PAKATI_WEBHOOK_ALLOW_PRIVATE_TARGETS', () => {
  let locked: Stack;
  beforeAll(async () => {
    locked = await startStack({ worker: false });
  });
  afterAll(async () => {
    await locked?.stop();
  });

  it.each(['http://127.0.0.1:8080/hooks', 'http://localhost:8080/hooks', 'http://[::1]:8080/hooks'])(
    'refuses the loopback target %s',
    async (url) => {
      const res = await locked.alpha.gql(CREATE, { input: { url, eventTypes: ['RUN_COMPLETED'] } });
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'url',
        reason: 'WEBHOOK_TARGET_FORBIDDEN',
      });
      expect(res.errors?.[0]?.message).toMatch(/loopback/);
    },
  );
});

describe('a receiver that is down for a while', () => {
  let patient: Stack;
  beforeAll(async () => {
    patient = await startStack({
      env: {
        PAKATI_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'loopback',
        PAKATI_WEBHOOK_RETRY_SCHEDULE: '200,200,200,200,200,200,200,200',
      },
    });
  });
  afterAll(async () => {
    await patient?.stop();
  });

  it('gets every event later, signed, exactly once per webhook-id', async () => {
    // Nothing listens on the port yet: every first attempt is refused.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const endpoint = await createEndpoint(
      `http://127.0.0.1:${port}/hooks`,
      ['RUN_STARTED', 'RUN_COMPLETED'],
      patient.alpha.gql,
    );
    const { events } = await generate(patient);
    const expected = events.filter((e) => e.type === 'STARTED' || e.type === 'COMPLETED').map((e) => e.seq);
    const failedOnce = await vi.waitFor(
      async () => {
        const list = await deliveries(endpoint.id, patient);
        expect(list).toHaveLength(expected.length);
        expect(list.every((d) => d.attempts.length >= 1 && d.attempts[0]!.statusCode === null)).toBe(true);
        return list;
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(failedOnce[0]!.attempts[0]!.error).toMatch(/ECONNREFUSED|refused/i);

    const receiver = await startReceiver(() => ({ status: 200 }), port);
    receiver.secrets.push(endpoint.secret);
    const delivered = await settled(endpoint.id, expected.length, 'SUCCEEDED', patient);
    await patient.platform.orm.em.fork().nativeDelete(WebhookEndpointSchema, {});
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(delivered.map((d) => d.webhookId).sort());
    expect(receiver.received.every((r) => r.message !== null)).toBe(true);
    expect(receiver.received.map((r) => r.message!.data.seq).sort((a, b) => a - b)).toEqual(expected);
  });
});
