import { collect, wsClient } from '@pakati/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADD_REGION,
  CREATE_PROJECT,
  projectWithRegion,
  RUN_EVENTS,
  type RunEventMessage,
  START_RUN,
  type Stack,
  startStack,
} from './harness.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { PAKATI_MAX_UPLOAD_BYTES: '200000', PAKATI_MAX_UPLOAD_PIXELS: '250000' },
  });
});
afterAll(async () => {
  await stack?.stop();
});

async function countRows(table: string): Promise<number> {
  const rows = await stack.platform.orm.em
    .getConnection()
    .execute(`select count(*)::int as n from "${table}"`);
  return Number(rows[0]?.n);
}

const square = [
  { x: 10, y: 10 },
  { x: 50, y: 10 },
  { x: 50, y: 50 },
  { x: 10, y: 50 },
];

describe('bad input is a typed error and writes nothing', () => {
  it.each(['not-a-global-id', 'UnVu', '%%%', ''])(
    'answers a malformed id %j with BAD_USER_INPUT, not INTERNAL',
    async (id) => {
      const res = await stack.alpha.gql(`query($id: ID!) { run(id: $id) { id } }`, { id });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const cancel = await stack.alpha.gql(`mutation($id: ID!) { cancelRun(id: $id) { run { id } } }`, {
        id,
      });
      expect(cancel.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    },
  );

  it.each([
    ['zero width', { name: 'x', width: 0, height: 10 }, 'INVALID_CANVAS'],
    ['negative height', { name: 'x', width: 10, height: -5 }, 'INVALID_CANVAS'],
    ['above the maximum', { name: 'x', width: 5000, height: 10 }, 'CANVAS_TOO_LARGE'],
    ['empty name', { name: '  ', width: 10, height: 10 }, 'BAD_USER_INPUT'],
  ])('createProject with %s', async (_label, input, code) => {
    const before = await countRows('project');
    const res = await stack.alpha.gql(CREATE_PROJECT, { input });
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
    expect(await countRows('project')).toBe(before);
  });

  it.each([
    ['fewer than 3 points', square.slice(0, 2), 'TOO_FEW_POINTS'],
    [
      'a self-intersecting bowtie',
      [
        { x: 10, y: 10 },
        { x: 50, y: 50 },
        { x: 50, y: 10 },
        { x: 10, y: 50 },
      ],
      'SELF_INTERSECTING',
    ],
    ['a point outside the canvas', [...square.slice(0, 3), { x: 10, y: 500 }], 'OUTSIDE_CANVAS'],
    ['a NaN coordinate', [...square.slice(0, 3), { x: Number.NaN, y: 50 }], null],
  ])('addRegion with %s', async (_label, points, reason) => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const before = await countRows('region');
    const res = await stack.alpha.gql(ADD_REGION, { input: { projectId, prompt: 'p', points } });
    expect(res.errors).toBeDefined();
    // JSON has no NaN: it arrives as null and graphql rejects it before our code runs.
    if (reason) {
      expect(res.errors![0]!.extensions?.code).toBe('INVALID_POLYGON');
      expect(res.errors![0]!.extensions?.reason).toBe(reason);
    } else {
      expect(res.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await countRows('region')).toBe(before);
  });

  it('refuses a region beyond the configured maximum', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    for (let i = 1; i < 10; i++) {
      const ok = await stack.alpha.gql(ADD_REGION, { input: { projectId, prompt: `r${i}`, points: square } });
      expect(ok.errors).toBeUndefined();
    }
    const res = await stack.alpha.gql(ADD_REGION, {
      input: { projectId, prompt: 'one too many', points: square },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REGIONS');
  });

  it('refuses a seed outside the unsigned 32-bit range', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const before = await countRows('run');
    const res = await stack.alpha.gql(START_RUN, { input: { projectId, kind: 'GENERATE', seed: 2 ** 32 } });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await countRows('run')).toBe(before);
  });
});

async function upload(key: string, projectId: string, bytes: Buffer, filename = 'ref.png') {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: `mutation($input: AddReferenceInput!) { addReference(input: $input) { reference { id width height contentType imageUrl } } }`,
      variables: { input: { projectId, image: null } },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.input.image'] }));
  form.append('0', new Blob([new Uint8Array(bytes)]), filename);
  const res = await fetch(`${stack.api.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'x-pakati-csrf': '1' },
    body: form,
  });
  return (await res.json()) as {
    data?: {
      addReference: {
        reference: { id: string; width: number; height: number; contentType: string; imageUrl: string };
      };
    };
    errors?: { extensions?: { code?: string } }[];
  };
}

describe('reference uploads', () => {
  it('stores a real image in the blob store and serves it back to its owner only', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    const res = await upload(stack.alpha.key, projectId, png);
    expect(res.errors).toBeUndefined();
    const ref = res.data!.addReference.reference;
    expect(ref).toMatchObject({ width: 40, height: 30, contentType: 'image/png' });
    const served = await fetch(ref.imageUrl);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    const blobKey = new URL(ref.imageUrl).pathname.split('/').pop()!;
    const byBeta = await fetch(`${stack.api.url}/images/${blobKey}`, {
      headers: { authorization: `Bearer ${stack.beta.key}` },
    });
    expect(byBeta.status).toBe(404);
    const byAlpha = await fetch(`${stack.api.url}/images/${blobKey}`, {
      headers: { authorization: `Bearer ${stack.alpha.key}`, 'x-pakati-csrf': '1' },
    });
    expect(byAlpha.status).toBe(200);
    const tampered = ref.imageUrl.replace(/signature=[^&]+/, 'signature=AAAA');
    expect((await fetch(tampered)).status).toBe(404);
  });

  it('serves a thumbnail URL on request, and refuses a size outside 16-2048 with a typed error', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const png = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#cc6633' } })
      .png()
      .toBuffer();
    const { id } = (await upload(stack.alpha.key, projectId, png)).data!.addReference.reference;
    const thumb = await stack.alpha.gql<{ node: { imageUrl: string } }>(
      `query($id: ID!) { node(id: $id) { ... on Reference { imageUrl(maxSide: 50) } } }`,
      { id },
    );
    const meta = await sharp(
      Buffer.from(await (await fetch(thumb.data!.node.imageUrl)).arrayBuffer()),
    ).metadata();
    expect([meta.width, meta.height]).toEqual([50, 25]);
    const tiny = await stack.alpha.gql(
      `query($id: ID!) { node(id: $id) { ... on Reference { imageUrl(maxSide: 8) } } }`,
      {
        id,
      },
    );
    expect(tiny.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'maxSide' });
  });

  it.each([
    ['bytes that are not an image', Buffer.from('this is plain text, not a picture'), 'INVALID_IMAGE'],
    ['more bytes than allowed', Buffer.alloc(300_000, 7), 'IMAGE_TOO_LARGE'],
  ])('refuses %s', async (_label, bytes, code) => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const before = await countRows('reference');
    const res = await upload(stack.alpha.key, projectId, bytes);
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
    expect(await countRows('reference')).toBe(before);
  });

  it('refuses an image with too many pixels (a small file that decodes huge)', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const huge = await sharp({ create: { width: 1000, height: 1000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(huge.length).toBeLessThan(200_000);
    const res = await upload(stack.alpha.key, projectId, huge);
    expect(res.errors?.[0]?.extensions?.code).toBe('IMAGE_TOO_LARGE');
  });
});

describe('tenant isolation', () => {
  it("answers NOT_FOUND (never forbidden) for another organization's project, run, events and image", async () => {
    const { projectId, regionId } = await projectWithRegion(stack.alpha.gql);
    const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE', seed: 9 },
    });
    const runId = started.data!.startRun.run.id;
    const own = wsClient(stack.api.url, stack.alpha.key);
    const events = await collect<RunEventMessage>(own, RUN_EVENTS, { runId, after: 0 }).done;
    await own.dispose();
    const imageUrl = events.items.at(-1)!.runEvents.imageUrl!;

    const project = await stack.beta.gql<{ project: unknown }>(
      `query($id: ID!) { project(id: $id) { id } }`,
      { id: projectId },
    );
    expect(project.data!.project).toBeNull();
    const node = await stack.beta.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, {
      id: runId,
    });
    expect(node.data!.node).toBeNull();
    const run = await stack.beta.gql<{ run: unknown }>(`query($id: ID!) { run(id: $id) { id } }`, {
      id: runId,
    });
    expect(run.data!.run).toBeNull();
    const list = await stack.beta.gql<{ projects: { edges: { node: { id: string } }[] } }>(
      `{ projects(first: 100) { edges { node { id } } } }`,
    );
    expect(list.data!.projects.edges.map((e) => e.node.id)).not.toContain(projectId);
    for (const [mutation, variables] of [
      [ADD_REGION, { input: { projectId, prompt: 'x', points: square } }],
      [START_RUN, { input: { projectId, kind: 'GENERATE' } }],
      [`mutation($id: ID!) { cancelRun(id: $id) { run { id } } }`, { id: runId }],
      [
        `mutation($input: UpdateRegionInput!) { updateRegion(input: $input) { region { id } } }`,
        { input: { id: regionId, prompt: 'hijack' } },
      ],
      [
        `mutation($input: RemoveRegionInput!) { removeRegion(input: $input) { removedRegionId } }`,
        { input: { id: regionId } },
      ],
    ] as const) {
      const res = await stack.beta.gql(mutation, variables as Record<string, unknown>);
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const foreign = wsClient(stack.api.url, stack.beta.key);
    const stolen = await collect<RunEventMessage>(foreign, RUN_EVENTS, { runId, after: 0 }).done;
    await foreign.dispose();
    expect(stolen.items).toEqual([]);
    expect(JSON.stringify(stolen.error)).toContain('NOT_FOUND');

    const blobKey = new URL(imageUrl).pathname.split('/').pop()!;
    const image = await fetch(`${stack.api.url}/images/${blobKey}`, {
      headers: { authorization: `Bearer ${stack.beta.key}` },
    });
    expect(image.status).toBe(404);
    // And alpha's region is untouched.
    const mine = await stack.alpha.gql<{ project: { regions: { prompt: string }[] } }>(
      `query($id: ID!) { project(id: $id) { regions { prompt } } }`,
      { id: projectId },
    );
    expect(mine.data!.project.regions.map((r) => r.prompt)).toEqual(['a red sunset over blue sea waves']);
  });
});

describe('authentication', () => {
  it('answers HTTP 401 for a missing, unknown or revoked key', async () => {
    const query = JSON.stringify({ query: '{ viewer { organization { name } } }' });
    const post = (authorization?: string) =>
      fetch(`${stack.api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: query,
      });
    expect((await post()).status).toBe(401);
    expect((await post('Bearer pk_unknown')).status).toBe(401);
    const tenant = await stack.platform.identity.createApiKey(stack.alpha.organizationId, 'short-lived');
    const ok = await post(`Bearer ${tenant.key}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { viewer: { organization: { name: 'alpha' } } } });
    await stack.platform.identity.revokeApiKey(tenant.prefix);
    const revoked = await post(`Bearer ${tenant.key}`);
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a graphql-ws connection with an unknown key', async () => {
    const client = wsClient(stack.api.url, 'pk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    const result = await collect(client, '{ viewer { organization { name } } }', {}).done;
    await client.dispose();
    expect((result.error as { code?: number }).code).toBe(4403);
  });

  it('serves liveness and readiness', async () => {
    expect((await fetch(`${stack.api.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${stack.api.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      status: string;
      checks: unknown;
      workers: { analysisKernel: string }[];
    };
    expect(body.status).toBe('ok');
    expect(body.checks).toEqual({ postgres: 'ok', redis: 'ok' });
    // The worker reports the analysis kernel it chose: libvips here, where no native TensorFlow is installed.
    expect(body.workers.map((w) => w.analysisKernel)).toContain('sharp');
  });
});
