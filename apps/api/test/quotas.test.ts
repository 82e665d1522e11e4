import { randomBytes } from 'node:crypto';
import { createTenant, httpClient, wsClient } from '@pakati/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectWithRegion, START_RUN, type Stack, startStack } from './harness.ts';

const QUOTAS = {
  STARTER: {
    requestsPerMinute: 20,
    concurrentRuns: 2,
    storedBytes: 20_000,
    maxCanvasWidth: 256,
    maxCanvasHeight: 256,
  },
  PROFESSIONAL: {
    requestsPerMinute: 100_000,
    concurrentRuns: 2,
    storedBytes: 20_000,
    maxCanvasWidth: 512,
    maxCanvasHeight: 512,
  },
};

let stack: Stack;
beforeAll(async () => {
  // No worker: started runs stay unfinished, which is what the run-slot quota counts.
  stack = await startStack({
    worker: false,
    env: { PAKATI_TIER_QUOTAS: JSON.stringify(QUOTAS), PAKATI_AUTH_FAILURES_PER_MINUTE: '5' },
  });
  await stack.platform.identity.setTier(stack.beta.organizationId, 'PROFESSIONAL');
});
afterAll(async () => {
  await stack?.stop();
});

const VIEWER = '{ viewer { organization { tier quota { requestsPerMinute concurrentRuns } } } }';
const codes = (res: { errors?: { extensions?: { code?: string } }[] }) =>
  (res.errors ?? []).map((e) => e.extensions?.code);

async function rawPost(key: string, query: string) {
  return fetch(`${stack.api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
}

describe('requests per minute', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a key used its minute, and only for that key', async () => {
    const tenant = await createTenant(stack.platform, 'limited');
    const other = await stack.platform.identity.createApiKey(tenant.organizationId, 'other');
    for (let i = 0; i < 20; i++) expect((await rawPost(tenant.key, VIEWER)).status).toBe(200);
    const refused = await rawPost(tenant.key, VIEWER);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      quota: 'requestsPerMinute',
      limit: 20,
      retryAfter,
    });
    // A subscription start counts too, and is refused as an error of that operation.
    const client = wsClient(stack.api.url, tenant.key);
    const wsError = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: 'subscription { organizationRunEvents { runId } }' },
        {
          next: () => {},
          error: resolve,
          complete: () => resolve(null),
        },
      );
    });
    await client.dispose();
    expect(JSON.stringify(wsError)).toContain('RATE_LIMITED');
    // The organization's other key has its own minute.
    expect((await rawPost(other.key, VIEWER)).status).toBe(200);
  });

  it('applies the tier: a higher tier gets its own, higher limit at once', async () => {
    const tenant = await createTenant(stack.platform, 'upgraded');
    for (let i = 0; i < 20; i++) await rawPost(tenant.key, VIEWER);
    expect((await rawPost(tenant.key, VIEWER)).status).toBe(429);
    await stack.platform.identity.setTier(tenant.organizationId, 'PROFESSIONAL');
    const res = await httpClient(
      stack.api.url,
      tenant.key,
    )<{
      viewer: { organization: { tier: string; quota: { requestsPerMinute: number } } };
    }>(VIEWER);
    expect(res.status).toBe(200);
    expect(res.data!.viewer.organization).toEqual({
      tier: 'PROFESSIONAL',
      quota: { requestsPerMinute: 100_000, concurrentRuns: 2 },
    });
  });
});

describe('concurrent runs', () => {
  it('refuses a start beyond the unfinished-run limit with retryAfter, and frees the slot on cancel', async () => {
    const { projectId } = await projectWithRegion(stack.beta.gql);
    const start = () =>
      stack.beta.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
        input: { projectId, kind: 'GENERATE' },
      });
    const first = await start();
    expect(codes(first)).toEqual([]);
    expect(codes(await start())).toEqual([]);
    const third = await start();
    expect(third.errors![0]!.extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      quota: 'concurrentRuns',
      limit: 2,
      used: 2,
    });
    expect(third.errors![0]!.extensions!.retryAfter).toBeGreaterThan(0);
    const batch = await stack.beta.gql(
      'mutation($input: StartRunsInput!) { startRuns(input: $input) { runs { id } } }',
      {
        input: { projectId, kind: 'GENERATE', count: 1 },
      },
    );
    expect(codes(batch)).toEqual(['QUOTA_EXCEEDED']);

    await stack.beta.gql('mutation($id: ID!) { cancelRun(id: $id) { run { status } } }', {
      id: first.data!.startRun.run.id,
    });
    expect(codes(await start())).toEqual([]);
    const runs = await stack.platform.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(
        "select count(*) as n from run where organization_id = ? and status = 'QUEUED'",
        [stack.beta.organizationId],
      );
    expect(Number(runs[0]!.n)).toBe(2);
  });

  it('gives the last slots to exactly as many of many simultaneous starts', async () => {
    const tenant = await createTenant(stack.platform, 'racing');
    await stack.platform.identity.setTier(tenant.organizationId, 'PROFESSIONAL');
    const gql = httpClient(stack.api.url, tenant.key);
    const { projectId } = await projectWithRegion(gql);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => gql(START_RUN, { input: { projectId, kind: 'GENERATE' } })),
    );
    expect(results.filter((r) => !r.errors).length).toBe(2);
    expect(results.filter((r) => codes(r)[0] === 'QUOTA_EXCEEDED').length).toBe(6);
  });
});

describe('stored bytes and canvas size', () => {
  it('refuses the upload that would pass the stored-bytes quota, and stores nothing of it', async () => {
    const { projectId } = await projectWithRegion(stack.beta.gql);
    const noise = randomBytes(48 * 48 * 3);
    const png = await sharp(noise, { raw: { width: 48, height: 48, channels: 3 } })
      .png()
      .toBuffer();
    let stored = 0;
    let refusal: Record<string, unknown> | undefined;
    for (let i = 0; i < 20 && !refusal; i++) {
      const form = new FormData();
      form.append(
        'operations',
        JSON.stringify({
          query: 'mutation($input: AddReferenceInput!) { addReference(input: $input) { reference { id } } }',
          variables: { input: { projectId, image: null } },
        }),
      );
      form.append('map', JSON.stringify({ 0: ['variables.input.image'] }));
      form.append('0', new Blob([new Uint8Array(png)]), 'noise.png');
      const res = await fetch(`${stack.api.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.beta.key}`, 'x-pakati-csrf': '1' },
        body: form,
      });
      const body = (await res.json()) as { errors?: { extensions: Record<string, unknown> }[] };
      if (body.errors) refusal = body.errors[0]!.extensions;
      else stored++;
    }
    expect(refusal).toMatchObject({ code: 'QUOTA_EXCEEDED', quota: 'storedBytes', limit: 20_000 });
    expect(stored).toBeGreaterThan(0);
    const [row] = await stack.platform.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string; bytes: string }[]>(
        'select count(*) as n, coalesce(sum(r.byte_size), 0) as bytes from reference r join project p on p.id = r.project_id where p.organization_id = ?',
        [stack.beta.organizationId],
      );
    expect(Number(row!.n)).toBe(stored);
    expect(Number(row!.bytes)).toBeLessThanOrEqual(20_000);
  });

  it("refuses a canvas over the tier's size, after the server-wide limit's own error", async () => {
    const create = (gql: typeof stack.alpha.gql, width: number) =>
      gql('mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } } }', {
        input: { name: 'big', width, height: 100 },
      });
    const tenant = await createTenant(stack.platform, 'canvas');
    const gql = httpClient(stack.api.url, tenant.key);
    const refused = await create(gql, 300);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', quota: 'maxCanvasSize' });
    expect(codes(await create(gql, 5000))).toEqual(['CANVAS_TOO_LARGE']);
    await stack.platform.identity.setTier(tenant.organizationId, 'PROFESSIONAL');
    expect(codes(await create(gql, 300))).toEqual([]);
  });
});

describe('failed sign-ins', () => {
  // Last in the file: it blocks this address for the rest of the minute.
  it('slows down guessing: after 5 failures from one address even a good key waits', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await rawPost(`pk_aaaaaaaaaaaa_${'x'.repeat(43)}`, VIEWER)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const blocked = await rawPost(stack.alpha.key, VIEWER);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await blocked.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      quota: 'authFailuresPerMinute',
    });
  });
});
