import type { MaskImage, ProgressUpdate } from '@pakati/core';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createComfyUiBackend } from '../src/comfyui/comfyui-backend.ts';
import {
  applyWorkflow,
  type ComfyWorkflow,
  DEFAULT_INPAINT_WORKFLOW,
  DEFAULT_TXT2IMG_WORKFLOW,
} from '../src/comfyui/workflows.ts';
import { seedColor, sleep } from './fakes/automatic1111-fake.ts';
import { startComfyUiFake } from './fakes/comfyui-fake.ts';
import { pixel, backendFailure as rejection, solid } from './helpers/rasters.ts';

type Fake = Awaited<ReturnType<typeof startComfyUiFake>>;
type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

function submitted(fake: Fake, index = 0): { prompt: Graph; client_id: string } {
  return JSON.parse(fake.requests.filter((r) => r.path === '/prompt')[index]!.body.toString());
}

function byClass(graph: Graph, classType: string) {
  return Object.values(graph).filter((node) => node.class_type === classType);
}

/** A prompt queued by some other ComfyUI client, straight through the HTTP API. */
async function foreignPrompt(fake: Fake, steps: number): Promise<string> {
  const { graph } = applyWorkflow(
    DEFAULT_TXT2IMG_WORKFLOW,
    { prompt: 'someone else', negativePrompt: '', seed: 7, steps, cfg: 7, width: 32, height: 32 },
    { latentSize: true, images: [] },
  );
  const res = await fetch(`${fake.url}/prompt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: graph, client_id: 'another-client' }),
  });
  return ((await res.json()) as { prompt_id: string }).prompt_id;
}

describe('ComfyUI backend', () => {
  let fake: Fake;
  const ctx = () => ({ signal: new AbortController().signal });
  const backend = (extra: Partial<Parameters<typeof createComfyUiBackend>[0]> = {}) =>
    createComfyUiBackend({ baseUrl: fake.url, clientId: 'pakati-test', ...extra });
  const params = {
    prompt: 'a lighthouse',
    negativePrompt: 'fog',
    width: 64,
    height: 48,
    seed: 4242,
    steps: 4,
  };

  beforeEach(async () => {
    fake = await startComfyUiFake({ stepMs: 15 });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('describes itself like a local diffusion server', () => {
    expect(backend().capabilities).toMatchObject({
      txt2img: true,
      img2img: true,
      inpainting: true,
      negativePrompt: true,
      regionalPrompting: false,
      deterministicSeeds: true,
      sizeMultiple: 8,
      costPerImage: 0,
      rateLimitPerMinute: null,
    });
    expect(backend({ capabilities: { regionalPrompting: true } }).capabilities.regionalPrompting).toBe(true);
  });

  it('opens the websocket first, queues the templated graph, and fetches the saved image from history', async () => {
    const result = await backend({ checkpoint: 'sdxl.safetensors' }).generate(params, ctx());

    const wsAt = fake.timeline.indexOf('ws pakati-test');
    const queuedAt = fake.timeline.findIndex((e) => e.startsWith('queued '));
    expect(wsAt).toBeGreaterThanOrEqual(0);
    expect(wsAt).toBeLessThan(queuedAt);

    const body = submitted(fake);
    expect(body.client_id).toBe('pakati-test');
    const graph = body.prompt;
    expect(byClass(graph, 'KSampler')[0]!.inputs).toMatchObject({ seed: 4242, steps: 4, cfg: 7.5 });
    expect(byClass(graph, 'EmptyLatentImage')[0]!.inputs).toMatchObject({
      width: 64,
      height: 48,
      batch_size: 1,
    });
    expect(byClass(graph, 'CheckpointLoaderSimple')[0]!.inputs.ckpt_name).toBe('sdxl.safetensors');
    const sampler = byClass(graph, 'KSampler')[0]!.inputs;
    expect(graph[(sampler.positive as [string, number])[0]]!.inputs.text).toBe('a lighthouse');
    expect(graph[(sampler.negative as [string, number])[0]]!.inputs.text).toBe('fog');

    const promptId = fake.timeline.find((e) => e.startsWith('queued '))!.slice('queued '.length);
    const historyGet = fake.requests.find((r) => r.path === `/history/${promptId}`);
    expect(historyGet?.method).toBe('GET');
    const view = fake.requests.find((r) => r.path === '/view')!;
    expect(view.query.get('filename')).toMatch(/^pakati_\d+_\.png$/);
    expect(view.query.get('type')).toBe('output');
    expect(view.query.get('subfolder')).toBe('');

    expect(result.seed).toBe(4242);
    expect(result.model).toBe('sdxl.safetensors');
    expect([result.image.width, result.image.height]).toEqual([64, 48]);
    expect(pixel(result.image, 3, 3)).toEqual(seedColor(4242, 'a lighthouse'));
    expect(result.timings.inferenceMs).toBeGreaterThan(0);
    expect(result.timings.queueMs).toBeGreaterThanOrEqual(0);
  });

  it('round-trips seeds: same seed same pixels, another seed other pixels', async () => {
    const b = backend();
    const first = await b.generate({ ...params, steps: 1 }, ctx());
    const again = await b.generate({ ...params, steps: 1 }, ctx());
    const other = await b.generate({ ...params, steps: 1, seed: 5 }, ctx());
    expect(Buffer.from(again.image.data).equals(Buffer.from(first.image.data))).toBe(true);
    expect(Buffer.from(other.image.data).equals(Buffer.from(first.image.data))).toBe(false);
    expect(other.seed).toBe(5);
  });

  it('reports progress from websocket events for our prompt, with previews from binary frames', async () => {
    const updates: ProgressUpdate[] = [];
    await backend().generate({ ...params, steps: 6 }, { ...ctx(), onProgress: (u) => updates.push(u) });

    const steps = updates.filter((u) => !u.preview);
    expect(steps.map((u) => u.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps.every((u) => u.totalSteps === 6)).toBe(true);
    const fractions = updates.map((u) => u.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    const preview = updates.find((u) => u.preview)?.preview;
    expect(preview?.width).toBe(16);
    expect(preview?.height).toBe(16);
  });

  it('ignores progress of prompts that are not ours', async () => {
    const foreign = await foreignPrompt(fake, 3);
    const updates: ProgressUpdate[] = [];
    await backend({ clientId: 'another-client' }).generate(
      { ...params, steps: 2 },
      { ...ctx(), onProgress: (u) => updates.push(u) },
    );
    expect(fake.history.get(foreign)).toBeDefined();
    expect(updates.filter((u) => !u.preview).map((u) => [u.step, u.totalSteps])).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('uploads the init image as multipart and runs img2img with the strength as denoise', async () => {
    const init = solid(64, 48, [0, 0, 240]);
    const result = await backend().img2img({ ...params, init, strength: 0.5 }, ctx());

    expect(fake.uploads).toHaveLength(1);
    const upload = fake.uploads[0]!;
    expect(upload.fields).toEqual(['image', 'type', 'overwrite']);
    expect(upload.type).toBe('input');
    expect(upload.overwrite).toBe('true');
    expect(upload.contentType).toBe('image/png');
    const sent = await sharp(upload.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([sent.info.width, sent.info.height]).toEqual([64, 48]);

    const graph = submitted(fake).prompt;
    expect(byClass(graph, 'LoadImage')[0]!.inputs.image).toBe(upload.name);
    expect(byClass(graph, 'KSampler')[0]!.inputs.denoise).toBe(0.5);
    const [r, g, b] = seedColor(4242, 'a lighthouse');
    expect(pixel(result.image, 2, 2)).toEqual([
      Math.round(r * 0.5),
      Math.round(g * 0.5),
      Math.round(120 + b * 0.5),
    ]);
  });

  it('uploads init and mask (white where we paint) for inpainting', async () => {
    const init = solid(64, 48, [20, 180, 20]);
    const mask: MaskImage = { width: 64, height: 48, data: new Float32Array(64 * 48) };
    for (let y = 0; y < 48; y++) for (let x = 0; x < 32; x++) mask.data[y * 64 + x] = 1;
    const result = await backend().inpaint({ ...params, init, mask }, ctx());

    expect(fake.uploads.map((u) => u.name)).toEqual([
      expect.stringMatching(/-init\.png$/),
      expect.stringMatching(/-mask\.png$/),
    ]);
    const maskUpload = fake.uploads[1]!;
    expect(maskUpload.fields).toEqual(['image', 'type', 'overwrite']);
    const { data, info } = await sharp(maskUpload.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    const at = (x: number, y: number) => [...data.subarray((y * 64 + x) * 4, (y * 64 + x) * 4 + 4)];
    expect(at(5, 5)).toEqual([255, 255, 255, 0]);
    expect(at(60, 5)).toEqual([0, 0, 0, 255]);

    const graph = submitted(fake).prompt;
    expect(byClass(graph, 'LoadImage')[0]!.inputs.image).toBe(fake.uploads[0]!.name);
    expect(byClass(graph, 'LoadImageMask')[0]!.inputs.image).toBe(maskUpload.name);

    expect(pixel(result.image, 5, 5)).toEqual(seedColor(4242, 'a lighthouse'));
    expect(pixel(result.image, 60, 5)).toEqual([20, 180, 20]);
  });

  it('fills a user workflow by node class and wiring, whatever its node ids', async () => {
    // The default graph renumbered, with the negative encoder listed before the positive one.
    const ids: Record<string, string> = {
      '1': 'ckpt',
      '2': '77',
      '3': '12',
      '4': 'latent',
      '5': 'sampler',
      '8': 'd',
      '9': 's',
    };
    const relink = (value: unknown) =>
      Array.isArray(value) && typeof value[0] === 'string' ? [ids[value[0]], value[1]] : value;
    const custom: ComfyWorkflow = {};
    for (const id of ['3', '2', '1', '4', '5', '8', '9']) {
      const node = DEFAULT_TXT2IMG_WORKFLOW[id]!;
      custom[ids[id]!] = {
        class_type: node.class_type,
        inputs: Object.fromEntries(Object.entries(node.inputs).map(([k, v]) => [k, relink(v)])),
      };
    }
    const result = await backend({ workflows: { txt2img: custom } }).generate(params, ctx());
    const graph = submitted(fake).prompt;
    expect(graph['77']!.inputs.text).toBe('a lighthouse');
    expect(graph['12']!.inputs.text).toBe('fog');
    expect(graph.sampler!.inputs.seed).toBe(4242);
    expect(pixel(result.image, 1, 1)).toEqual(seedColor(4242, 'a lighthouse'));
  });

  it('uses one combined upload when a single LoadImage feeds both pixels and mask', async () => {
    const workflow: ComfyWorkflow = structuredClone(DEFAULT_INPAINT_WORKFLOW);
    delete workflow['11'];
    workflow['4']!.inputs.mask = ['10', 1];
    const init = solid(64, 48, [20, 180, 20]);
    const mask: MaskImage = { width: 64, height: 48, data: new Float32Array(64 * 48).fill(0) };
    for (let x = 0; x < 64; x++) mask.data[x] = 1;
    const result = await backend({ workflows: { inpaint: workflow } }).inpaint(
      { ...params, init, mask },
      ctx(),
    );

    expect(fake.uploads).toHaveLength(1);
    const { data } = await sharp(fake.uploads[0]!.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 4)]).toEqual([20, 180, 20, 0]);
    expect([...data.subarray(64 * 4 * 10, 64 * 4 * 10 + 4)]).toEqual([20, 180, 20, 255]);
    expect(pixel(result.image, 3, 0)).toEqual(seedColor(4242, 'a lighthouse'));
    expect(pixel(result.image, 3, 20)).toEqual([20, 180, 20]);
  });

  it('rejects a workflow it cannot fill as INVALID_REQUEST without queueing it', async () => {
    const noSampler: ComfyWorkflow = { '9': { class_type: 'SaveImage', inputs: { images: ['8', 0] } } };
    const error = await rejection(backend({ workflows: { txt2img: noSampler } }).generate(params, ctx()));
    expect(error.kind).toBe('INVALID_REQUEST');
    expect(fake.requests.filter((r) => r.path === '/prompt')).toHaveLength(0);
  });

  it('rounds sizes up to a multiple of 8 and resizes the result back', async () => {
    const result = await backend().generate({ ...params, width: 70, height: 33 }, ctx());
    expect(byClass(submitted(fake).prompt, 'EmptyLatentImage')[0]!.inputs).toMatchObject({
      width: 72,
      height: 40,
    });
    expect([result.image.width, result.image.height]).toEqual([70, 33]);

    const init = solid(70, 33, [9, 9, 9]);
    const mask: MaskImage = { width: 70, height: 33, data: new Float32Array(70 * 33).fill(1) };
    const inpainted = await backend().inpaint({ ...params, width: 70, height: 33, init, mask }, ctx());
    const sizes = await Promise.all(fake.uploads.map(async (u) => (await sharp(u.bytes).metadata()).width));
    expect(sizes).toEqual([72, 72]);
    expect([inpainted.image.width, inpainted.image.height]).toEqual([70, 33]);
  });

  it('maps a 400 validation answer to INVALID_REQUEST with the node error', async () => {
    const error = await rejection(backend({ checkpoint: 'missing.safetensors' }).generate(params, ctx()));
    expect(error.kind).toBe('INVALID_REQUEST');
    expect(error.details.status).toBe(400);
    expect(error.message).toContain('Prompt outputs failed validation');
    expect(error.message).toContain('missing.safetensors');
  });

  it('treats node_errors in a 200 answer as INVALID_REQUEST and withdraws the prompt', async () => {
    fake.failHttp({
      path: '/prompt',
      status: 200,
      body: {
        prompt_id: 'half-valid',
        number: 3,
        node_errors: {
          '5': { errors: [{ message: 'Value too big', details: 'steps' }], class_type: 'KSampler' },
        },
      },
    });
    const error = await rejection(backend().generate(params, ctx()));
    expect(error.kind).toBe('INVALID_REQUEST');
    expect(error.message).toContain('Value too big');
  });

  it.each([
    [429, 'RATE_LIMITED'],
    [500, 'UNAVAILABLE'],
    [503, 'UNAVAILABLE'],
  ])('maps HTTP %i on /prompt to %s', async (status, kind) => {
    fake.failHttp({ path: '/prompt', status, body: { error: 'busy' }, headers: { 'retry-after': '2' } });
    const error = await rejection(backend().generate(params, ctx()));
    expect(error.kind).toBe(kind);
    expect(error.details.status).toBe(status);
    if (kind === 'RATE_LIMITED') expect(error.details.retryAfterMs).toBe(2000);
  });

  it('maps an unreadable /prompt answer to PROTOCOL', async () => {
    fake.failHttp({ path: '/prompt', status: 200, body: '<html>oops', raw: true });
    const error = await rejection(backend().generate(params, ctx()));
    expect(error.kind).toBe('PROTOCOL');
  });

  it('maps an out-of-memory execution_error to OUT_OF_MEMORY and other errors to UNAVAILABLE', async () => {
    fake.failExecution('oom');
    const oom = await rejection(backend().generate(params, ctx()));
    expect(oom.kind).toBe('OUT_OF_MEMORY');
    expect(oom.details.providerCode).toBe('torch.OutOfMemoryError');

    fake.failExecution('error');
    const other = await rejection(backend().generate(params, ctx()));
    expect(other.kind).toBe('UNAVAILABLE');
    expect(other.message).toContain('mat1 and mat2');
  });

  it('maps a websocket that cannot connect to UNAVAILABLE', async () => {
    const error = await rejection(
      createComfyUiBackend({ baseUrl: 'http://127.0.0.1:9' }).generate(params, ctx()),
    );
    expect(error.kind).toBe('UNAVAILABLE');
  });

  it('times out after timeoutMs and stops the prompt it left running', async () => {
    const error = await rejection(backend({ timeoutMs: 150 }).generate({ ...params, steps: 60 }, ctx()));
    expect(error.kind).toBe('TIMEOUT');
    expect(fake.interrupts).toHaveLength(1);
    await until(() => fake.timeline.some((e) => e.startsWith('interrupted ')));
  });

  it('cancels a running prompt with an interrupt for our prompt id only, leaving a queued foreign prompt', async () => {
    const controller = new AbortController();
    const updates: ProgressUpdate[] = [];
    const run = backend().generate(
      { ...params, steps: 60 },
      { signal: controller.signal, onProgress: (u) => updates.push(u) },
    );
    await until(() => fake.running !== undefined);
    const ours = fake.running!.promptId;
    const foreign = await foreignPrompt(fake, 2);
    await until(() => updates.some((u) => u.step >= 2));
    expect(fake.pending.map((item) => item.promptId)).toEqual([foreign]);
    controller.abort();

    const error = await rejection(run);
    expect(error.kind).toBe('CANCELLED');
    expect(fake.interrupts).toEqual([{ promptId: ours }]);
    expect(fake.deletes).toEqual([]);
    await until(() => fake.history.has(foreign));
    expect((fake.history.get(foreign)!.status as { status_str: string }).status_str).toBe('success');
    expect(fake.timeline).toContain(`interrupted ${ours}`);
  });

  it('cancels a queued prompt by deleting it from the queue, never interrupting the running one', async () => {
    // Long enough that ours is still queued when the abort lands, even on a loaded machine.
    const foreign = await foreignPrompt(fake, 100);
    await until(() => fake.running?.promptId === foreign);
    const controller = new AbortController();
    const run = backend().generate(params, { signal: controller.signal });
    await until(() => fake.pending.length === 1);
    const ours = fake.pending[0]!.promptId;
    controller.abort();

    const error = await rejection(run);
    expect(error.kind).toBe('CANCELLED');
    expect(fake.deletes).toEqual([[ours]]);
    expect(fake.interrupts).toEqual([]);
    await until(() => fake.history.has(foreign));
    expect((fake.history.get(foreign)!.status as { status_str: string }).status_str).toBe('success');
    expect(fake.timeline.some((e) => e === `started ${ours}`)).toBe(false);
  });

  it('runs concurrent operations over the one socket of its client id', async () => {
    const b = backend();
    const [one, two] = await Promise.all([
      b.generate({ ...params, seed: 1, steps: 2 }, ctx()),
      b.generate({ ...params, seed: 2, steps: 2 }, ctx()),
    ]);
    expect(pixel(one.image, 0, 0)).toEqual(seedColor(1, 'a lighthouse'));
    expect(pixel(two.image, 0, 0)).toEqual(seedColor(2, 'a lighthouse'));
    expect(fake.timeline.filter((e) => e === 'ws pakati-test')).toHaveLength(1);
    await until(() => fake.sockets.size === 0);
  });
});
