import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startGatedStack } from '@pakati/api/test-gated-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPakatiClient, PakatiClientError } from '../src/index.ts';

const photo = fileURLToPath(new URL('../../../fixtures/photos/chelsea.png', import.meta.url));
async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

let env: Awaited<ReturnType<typeof startGatedStack>>;
beforeAll(async () => {
  env = await startGatedStack();
});
afterAll(async () => {
  env?.release();
  await env?.stack.stop();
});

const client = () => createPakatiClient({ url: env.url, apiKey: env.stack.alpha.key });
const SQUARE = [
  { x: 0, y: 0 },
  { x: 48, y: 0 },
  { x: 48, y: 48 },
  { x: 0, y: 48 },
];

describe('createPakatiClient', () => {
  it('runs the journey: project, region, uploaded reference, run, events, image bytes', async () => {
    const pakati = client();
    const project = await pakati.createProject({ name: 'Journey', width: 64, height: 48 });
    const region = await pakati.addRegion({ projectId: project.id, prompt: 'a tabby cat', points: SQUARE });
    const reference = await pakati.addReference({
      projectId: project.id,
      regionId: region.id,
      image: await readFile(photo),
      filename: 'chelsea.png',
    });
    expect(reference).toMatchObject({ width: 451, height: 300, contentType: 'image/png' });
    expect(reference.regionId).toBe(region.id);

    const run = await pakati.startRun({ projectId: project.id, kind: 'GENERATE', seed: 7 });
    expect(run).toMatchObject({ status: 'QUEUED', kind: 'GENERATE', seed: 7 });
    const types: string[] = [];
    for await (const event of pakati.runEvents(run.id)) types.push(event.type);
    expect(types[0]).toBe('QUEUED');
    expect(types.at(-1)).toBe('COMPLETED');

    const done = await pakati.run(run.id);
    expect(done?.status).toBe('SUCCEEDED');
    const bytes = await pakati.downloadImage(done!.imageUrl!);
    expect([...bytes.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
    await pakati.close();
  });

  it('cancels a run that is still waiting on its backend', async () => {
    const pakati = client();
    const project = await pakati.createProject({ name: 'Cancel', width: 64, height: 48 });
    await pakati.addRegion({ projectId: project.id, prompt: 'a lighthouse', points: SQUARE });
    env.hold();
    try {
      const run = await pakati.startRun({ projectId: project.id, kind: 'GENERATE' });
      const cancelled = await pakati.cancelRun(run.id);
      expect(cancelled.status).toBe('CANCELLED');
      const last = await all(pakati.runEvents(run.id));
      expect(last.at(-1)!.type).toBe('CANCELLED');
    } finally {
      env.release();
      await pakati.close();
    }
  });

  it('pages through every project', async () => {
    const stranger = createPakatiClient({ url: env.url, apiKey: env.stack.beta.key });
    const names = ['one', 'two', 'three'];
    for (const name of names) await stranger.createProject({ name, width: 64, height: 64 });
    const listed = await all(stranger.listProjects(2));
    expect(listed.map((p) => p.name)).toEqual([...names].reverse());
  });

  it('throws typed errors: the API code, its extensions and the HTTP status', async () => {
    const pakati = client();
    const invalid = await pakati.createProject({ name: 'Huge', width: 0, height: 64 }).catch((e) => e);
    expect(invalid).toBeInstanceOf(PakatiClientError);
    expect(invalid.code).toBe('INVALID_CANVAS');
    expect(invalid.extensions.code).toBe('INVALID_CANVAS');
    expect(invalid.message).toMatch(/width and height/);

    expect(await pakati.run('UnVuOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA==')).toBeNull();

    const signedOut = createPakatiClient({ url: env.url, apiKey: 'pk_nope_nope' });
    const unauthenticated = await signedOut.createProject({ name: 'x', width: 8, height: 8 }).catch((e) => e);
    expect(unauthenticated).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });

    const unreachable = createPakatiClient({ url: 'http://127.0.0.1:1/graphql', apiKey: 'pk_x_y' });
    await expect(unreachable.run('x')).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: null });
  });

  it('reports how long to wait when the API answers 429 with Retry-After or extensions.retryAfter', async () => {
    // The injected fetch stands in for a rate-limiting proxy in front of the API.
    const limited = (headers: Record<string, string>, extensions: Record<string, unknown>) =>
      createPakatiClient({
        url: env.url,
        apiKey: env.stack.alpha.key,
        fetch: async () =>
          new Response(JSON.stringify({ errors: [{ message: 'Slow down', extensions }] }), {
            status: 429,
            headers: { 'content-type': 'application/json', ...headers },
          }),
      });
    const fromHeader = await limited({ 'retry-after': '7' }, { code: 'RATE_LIMITED' })
      .run('x')
      .catch((e) => e);
    expect(fromHeader).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      retryAfter: 7,
      message: 'Slow down',
    });
    const fromExtensions = await limited({}, { code: 'RATE_LIMITED', retryAfter: 3 })
      .run('x')
      .catch((e) => e);
    expect(fromExtensions.retryAfter).toBe(3);
  });

  it('sends documents made with its graphql() through request()', async () => {
    const { graphql } = await import('../src/index.ts');
    const VIEWER = graphql(`query Viewer { viewer { organization { name } } }`);
    const data = await client().request(VIEWER, {});
    expect(data.viewer.organization.name).toBe('alpha');
  });
});
