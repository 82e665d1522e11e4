import {
  autoNegativeConditioning,
  ellipse,
  type MaskImage,
  type ProgressUpdate,
  type RegionalGenerateParams,
  rectangle,
} from '@pakati/core';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createComfyUiBackend } from '../src/comfyui/comfyui-backend.ts';
import { buildRegionalWorkflow, type RegionalWorkflowValues } from '../src/comfyui/regional-workflow.ts';
import { applyWorkflow, DEFAULT_TXT2IMG_WORKFLOW } from '../src/comfyui/workflows.ts';
import { seedColor, sleep } from './fakes/automatic1111-fake.ts';
import { type ComfyUpload, startComfyUiFake } from './fakes/comfyui-fake.ts';
import { pixel, backendFailure as rejection } from './helpers/rasters.ts';

type Fake = Awaited<ReturnType<typeof startComfyUiFake>>;
type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;
type Link = [string, number];

const W = 96;
const H = 64;
const GLOBAL = 'a quiet meadow at noon';
const SEED = 9001;

// Bottom to top: a kite over the top left, a house overlapping it, a sun overlapping both. The bottom left and
// right edge stay free of regions.
const regions = autoNegativeConditioning(
  [
    { id: 'sun', points: ellipse(70, 18, 16, 12), prompt: 'a yellow sun', zOrder: 2 },
    { id: 'kite', points: rectangle(0, 0, 60, 36), prompt: 'a red kite', zOrder: 0 },
    {
      id: 'house',
      points: rectangle(36, 20, 44, 40),
      prompt: 'a blue house',
      negativePrompt: 'windows',
      zOrder: 1,
    },
  ],
  { width: W, height: H },
  { globalNegativePrompt: 'blurry' },
);

const params: RegionalGenerateParams = {
  prompt: GLOBAL,
  negativePrompt: 'blurry',
  width: W,
  height: H,
  seed: SEED,
  steps: 3,
  regions,
};

/** Pixels whose whole 5×5 neighbourhood has mask value `value` (no anti-aliased edge nearby). */
function solidly(mask: MaskImage, value: number): [number, number][] {
  const found: [number, number][] = [];
  for (let y = 2; y < mask.height - 2; y++) {
    for (let x = 2; x < mask.width - 2; x++) {
      let all = true;
      for (let dy = -2; dy <= 2 && all; dy++) {
        for (let dx = -2; dx <= 2 && all; dx++) {
          if (Math.abs(mask.data[(y + dy) * mask.width + x + dx]! - value) > 1e-6) all = false;
        }
      }
      if (all) found.push([x, y]);
    }
  }
  return found;
}

/** The union of every region's visible coverage. */
const covered: MaskImage = {
  width: W,
  height: H,
  data: Float32Array.from({ length: W * H }, (_, i) =>
    Math.min(
      1,
      regions.reduce((sum, r) => sum + r.positiveMask.data[i]!, 0),
    ),
  ),
};

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

function submittedGraphs(fake: Fake): Graph[] {
  return fake.requests
    .filter((r) => r.path === '/prompt')
    .map((r) => (JSON.parse(r.body.toString()) as { prompt: Graph }).prompt);
}

function byClass(graph: Graph, classType: string) {
  return Object.values(graph).filter((node) => node.class_type === classType);
}

/**
 * The test's own reading of a conditioning chain (independent of the fake's): entries in ConditioningCombine
 * order with the file their mask is loaded from, checking each ConditioningSetMask on the way.
 */
function chain(graph: Graph, link: unknown): { text: string; mask: string | null }[] {
  const [id] = link as Link;
  const node = graph[id]!;
  if (node.class_type === 'CLIPTextEncode') return [{ text: String(node.inputs.text), mask: null }];
  if (node.class_type === 'ConditioningCombine') {
    return [...chain(graph, node.inputs.conditioning_1), ...chain(graph, node.inputs.conditioning_2)];
  }
  expect(node.class_type).toBe('ConditioningSetMask');
  expect(node.inputs).toMatchObject({ strength: 1, set_cond_area: 'default' });
  const loader = graph[(node.inputs.mask as Link)[0]]!;
  expect(loader.class_type).toBe('LoadImageMask');
  expect(loader.inputs.channel).toBe('red');
  return chain(graph, node.inputs.conditioning).map((e) => ({ ...e, mask: String(loader.inputs.image) }));
}

async function grayOf(upload: ComfyUpload): Promise<{ width: number; height: number; values: number[] }> {
  const { data, info } = await sharp(upload.bytes).raw().toBuffer({ resolveWithObject: true });
  const values: number[] = [];
  for (let i = 0; i < info.width * info.height; i++) values.push(data[i * info.channels]!);
  return { width: info.width, height: info.height, values };
}

const bytesOf = (mask: MaskImage) =>
  Array.from(mask.data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));

/** Which upload carries exactly this mask (white = 1). */
async function uploadOf(fake: Fake, mask: MaskImage): Promise<ComfyUpload> {
  const expected = bytesOf(mask);
  for (const upload of fake.uploads) {
    const gray = await grayOf(upload);
    if (gray.width !== mask.width || gray.height !== mask.height) continue;
    if (gray.values.every((v, i) => v === expected[i])) return upload;
  }
  throw new Error('no upload carries this mask');
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

describe('the regional workflow builder', () => {
  const values: RegionalWorkflowValues = {
    prompt: '',
    negativePrompt: 'blurry',
    seed: 3,
    steps: 20,
    cfg: 6,
    width: 70,
    height: 33,
    checkpoint: 'sdxl.safetensors',
    regions: [
      {
        positive: 'a cat',
        negative: '',
        negativeOutside: 'a cat',
        positiveMask: 'cat-in.png',
        outsideMask: 'cat-out.png',
      },
      {
        positive: 'a dog',
        negative: 'fleas',
        negativeOutside: 'a dog',
        positiveMask: 'dog-in.png',
        outsideMask: 'dog-out.png',
      },
    ],
  };

  it('is deterministic and wires masked positives and auto-negatives into the sampler', () => {
    const graph = buildRegionalWorkflow(values) as Graph;
    expect(JSON.stringify(buildRegionalWorkflow(structuredClone(values)))).toBe(JSON.stringify(graph));

    const sampler = byClass(graph, 'KSampler')[0]!;
    expect(sampler.inputs).toMatchObject({ seed: 3, steps: 20, cfg: 6, denoise: 1 });
    expect(byClass(graph, 'EmptyLatentImage')[0]!.inputs).toEqual({ width: 72, height: 40, batch_size: 1 });
    expect(byClass(graph, 'CheckpointLoaderSimple')[0]!.inputs.ckpt_name).toBe('sdxl.safetensors');
    expect(chain(graph, sampler.inputs.positive)).toEqual([
      { text: '', mask: null },
      { text: 'a cat', mask: 'cat-in.png' },
      { text: 'a dog', mask: 'dog-in.png' },
    ]);
    // The cat's empty own negative adds no node.
    expect(chain(graph, sampler.inputs.negative)).toEqual([
      { text: 'blurry', mask: null },
      { text: 'a cat', mask: 'cat-out.png' },
      { text: 'fleas', mask: 'dog-in.png' },
      { text: 'a dog', mask: 'dog-out.png' },
    ]);
    const save = byClass(graph, 'SaveImage')[0]!;
    const decode = graph[(save.inputs.images as Link)[0]]!;
    expect(decode.class_type).toBe('VAEDecode');
    expect(graph[(decode.inputs.samples as Link)[0]]).toBe(sampler);
    // Every link points at a node of the graph.
    for (const node of Object.values(graph)) {
      for (const value of Object.values(node.inputs)) {
        if (Array.isArray(value)) expect(graph[value[0] as string]).toBeDefined();
      }
    }
  });

  it('without regions is a plain txt2img graph', () => {
    const graph = buildRegionalWorkflow({ ...values, prompt: 'x', regions: [] }) as Graph;
    const sampler = byClass(graph, 'KSampler')[0]!;
    expect(graph[(sampler.inputs.positive as Link)[0]]!.inputs.text).toBe('x');
    expect(graph[(sampler.inputs.negative as Link)[0]]!.inputs.text).toBe('blurry');
    expect(byClass(graph, 'ConditioningSetMask')).toHaveLength(0);
  });
});

describe('ComfyUI regional conditioning', () => {
  let fake: Fake;
  const ctx = () => ({ signal: new AbortController().signal });
  const backend = (extra: Partial<Parameters<typeof createComfyUiBackend>[0]> = {}) =>
    createComfyUiBackend({ baseUrl: fake.url, clientId: 'pakati-regional', regional: true, ...extra });
  const generateRegional = (
    b: ReturnType<typeof backend>,
    p: RegionalGenerateParams,
    c: Parameters<NonNullable<ReturnType<typeof backend>['generateRegional']>>[1],
  ) => {
    if (!b.generateRegional) throw new Error('no generateRegional');
    return b.generateRegional(p, c);
  };

  beforeEach(async () => {
    fake = await startComfyUiFake({ stepMs: 5 });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('has generateRegional and the capability only when regional', () => {
    const plain = createComfyUiBackend({ baseUrl: 'http://127.0.0.1:9' });
    expect(plain.capabilities.regionalPrompting).toBe(false);
    expect(plain.generateRegional).toBeUndefined();
    const off = createComfyUiBackend({ baseUrl: 'http://127.0.0.1:9', regional: false });
    expect(off.capabilities.regionalPrompting).toBe(false);
    expect(off.generateRegional).toBeUndefined();
    const on = createComfyUiBackend({ baseUrl: 'http://127.0.0.1:9', regional: true });
    expect(on.capabilities.regionalPrompting).toBe(true);
    expect(typeof on.generateRegional).toBe('function');
    // The capability and the method always go together.
    const viaCapabilities = createComfyUiBackend({
      baseUrl: 'http://127.0.0.1:9',
      capabilities: { regionalPrompting: true },
    });
    expect(typeof viaCapabilities.generateRegional).toBe('function');
    const overruled = createComfyUiBackend({
      baseUrl: 'http://127.0.0.1:9',
      regional: false,
      capabilities: { regionalPrompting: true },
    });
    expect(overruled.capabilities.regionalPrompting).toBe(false);
    expect(overruled.generateRegional).toBeUndefined();
  });

  it('uploads every region mask as a PNG, white where it applies', async () => {
    await generateRegional(backend(), params, ctx());
    expect(fake.uploads).toHaveLength(regions.length * 2);
    for (const upload of fake.uploads) {
      expect(upload.type).toBe('input');
      expect(upload.contentType).toBe('image/png');
      expect(upload.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    expect(new Set(fake.uploads.map((u) => u.name)).size).toBe(fake.uploads.length);
    for (const region of regions) {
      const inside = await grayOf(await uploadOf(fake, region.positiveMask));
      const outside = await grayOf(await uploadOf(fake, region.outsideMask));
      const [x, y] = solidly(region.positiveMask, 1)[0]!;
      expect(inside.values[y * W + x]).toBe(255);
      expect(outside.values[y * W + x]).toBe(0);
      const [fx, fy] = solidly(covered, 0)[0]!;
      expect(inside.values[fy * W + fx]).toBe(0);
      expect(outside.values[fy * W + fx]).toBe(255);
    }
  });

  it('wires one masked positive per region and the auto-negatives into one KSampler', async () => {
    const result = await generateRegional(backend({ checkpoint: 'sdxl.safetensors' }), params, ctx());
    const [graph] = submittedGraphs(fake);
    expect(byClass(graph!, 'KSampler')).toHaveLength(1);
    // Per region: its positive, its own negative (every region has the global 'blurry') and its auto-negative.
    expect(byClass(graph!, 'ConditioningSetMask')).toHaveLength(regions.length * 3);
    expect(byClass(graph!, 'LoadImageMask')).toHaveLength(regions.length * 2);
    expect(byClass(graph!, 'ConditioningCombine')).toHaveLength(regions.length * 3);
    expect(byClass(graph!, 'EmptyLatentImage')[0]!.inputs).toMatchObject({ width: W, height: H });

    const sampler = byClass(graph!, 'KSampler')[0]!;
    expect(sampler.inputs).toMatchObject({ seed: SEED, steps: 3 });
    const names = await Promise.all(
      regions.map(async (r) => ({
        inside: (await uploadOf(fake, r.positiveMask)).name,
        outside: (await uploadOf(fake, r.outsideMask)).name,
      })),
    );
    expect(chain(graph!, sampler.inputs.positive)).toEqual([
      { text: GLOBAL, mask: null },
      ...regions.map((r, k) => ({ text: r.positive, mask: names[k]!.inside })),
    ]);
    expect(chain(graph!, sampler.inputs.negative)).toEqual([
      { text: 'blurry', mask: null },
      ...regions.flatMap((r, k) => [
        { text: r.negative, mask: names[k]!.inside },
        { text: r.negativeOutside, mask: names[k]!.outside },
      ]),
    ]);
    expect(regions.find((r) => r.regionId === 'house')!.negative).toBe('windows, blurry');

    // What the (fake) server's sampler received: each region's prompt as a negative set to its outside mask.
    expect(fake.conditioning).toHaveLength(1);
    const received = fake.conditioning[0]!;
    for (const [k, region] of regions.entries()) {
      expect(received.negative).toContainEqual(
        expect.objectContaining({ text: region.positive, mask: names[k]!.outside, strength: 1 }),
      );
      expect(received.positive).toContainEqual(
        expect.objectContaining({ text: region.positive, mask: names[k]!.inside, setCondArea: 'default' }),
      );
    }
    expect(received.negative[0]).toMatchObject({ text: 'blurry', mask: null });
    expect(result.model).toBe('sdxl.safetensors');
    expect(result.seed).toBe(SEED);
  });

  it('paints each region with its own prompt and the rest with the global prompt, without bleed', async () => {
    const result = await generateRegional(backend(), params, ctx());
    expect([result.image.width, result.image.height]).toEqual([W, H]);

    for (const region of regions) {
      const color = seedColor(SEED, region.positive);
      const inside = solidly(region.positiveMask, 1);
      expect(inside.length).toBeGreaterThan(40);
      for (const [x, y] of inside)
        expect(pixel(result.image, x, y), `${region.regionId} ${x},${y}`).toEqual(color);
    }
    const free = solidly(covered, 0);
    expect(free.length).toBeGreaterThan(100);
    const globalColor = seedColor(SEED, GLOBAL);
    for (const [x, y] of free) expect(pixel(result.image, x, y), `${x},${y}`).toEqual(globalColor);

    // Where a higher region covers a lower one, the higher one shows: the house over the kite, the sun over both.
    expect(pixel(result.image, 45, 30)).toEqual(seedColor(SEED, 'a blue house'));
    expect(pixel(result.image, 57, 22)).toEqual(seedColor(SEED, 'a yellow sun'));
    expect(pixel(result.image, 10, 10)).toEqual(seedColor(SEED, 'a red kite'));
  });

  it('gives the same graph and the same pixels for the same inputs, other pixels for another seed', async () => {
    const b = backend();
    const first = await generateRegional(b, params, ctx());
    const again = await generateRegional(b, params, ctx());
    const other = await generateRegional(b, { ...params, seed: 5 }, ctx());
    const [g1, g2, g3] = submittedGraphs(fake);
    expect(JSON.stringify(g2)).toBe(JSON.stringify(g1));
    expect(JSON.stringify(g3)).not.toBe(JSON.stringify(g1));
    expect(Buffer.from(again.image.data).equals(Buffer.from(first.image.data))).toBe(true);
    expect(Buffer.from(other.image.data).equals(Buffer.from(first.image.data))).toBe(false);
    // The masks keep their content-derived names; re-uploads leave the stored files as they were.
    expect(fake.uploads.slice(6, 12).map((u) => u.name)).toEqual(fake.uploads.slice(0, 6).map((u) => u.name));
    expect(fake.uploads.every((u) => u.overwrite === 'false')).toBe(true);
  });

  it('stretches canvas-sized masks to the generation size and the result back to the requested size', async () => {
    const result = await generateRegional(backend(), { ...params, width: 45, height: 30 }, ctx());
    expect(byClass(submittedGraphs(fake)[0]!, 'EmptyLatentImage')[0]!.inputs).toMatchObject({
      width: 48,
      height: 32,
    });
    for (const upload of fake.uploads) {
      const { width, height } = await sharp(upload.bytes).metadata();
      expect([width, height]).toEqual([48, 32]);
    }
    expect([result.image.width, result.image.height]).toEqual([45, 30]);
    const near = (actual: number[], expected: number[]) => {
      for (const [c, v] of actual.entries()) expect(Math.abs(v - expected[c]!)).toBeLessThanOrEqual(2);
    };
    // Canvas (58, 48) in the house, (8, 56) free of regions, at 45/96 scale.
    near(pixel(result.image, 27, 22), seedColor(SEED, 'a blue house'));
    near(pixel(result.image, 4, 26), seedColor(SEED, GLOBAL));
  });

  it('reports progress from our prompt, with previews', async () => {
    const updates: ProgressUpdate[] = [];
    await generateRegional(
      backend(),
      { ...params, steps: 5 },
      { ...ctx(), onProgress: (u) => updates.push(u) },
    );
    const steps = updates.filter((u) => !u.preview);
    expect(steps.map((u) => u.step)).toEqual([1, 2, 3, 4, 5]);
    expect(steps.every((u) => u.totalSteps === 5)).toBe(true);
    const fractions = updates.map((u) => u.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    expect(updates.some((u) => u.preview)).toBe(true);
  });

  it('cancels a running regional prompt with an interrupt for our prompt id only', async () => {
    const controller = new AbortController();
    const updates: ProgressUpdate[] = [];
    const run = generateRegional(
      backend(),
      { ...params, steps: 200 },
      { signal: controller.signal, onProgress: (u) => updates.push(u) },
    );
    await until(() => fake.running !== undefined);
    const ours = fake.running!.promptId;
    const foreign = await foreignPrompt(fake, 2);
    await until(() => updates.some((u) => u.step >= 2));
    controller.abort();

    const error = await rejection(run);
    expect(error.kind).toBe('CANCELLED');
    expect(fake.interrupts).toEqual([{ promptId: ours }]);
    expect(fake.deletes).toEqual([]);
    await until(() => fake.history.has(foreign));
    expect((fake.history.get(foreign)!.status as { status_str: string }).status_str).toBe('success');
    expect(fake.timeline).toContain(`interrupted ${ours}`);
  });

  it('cancels a queued regional prompt by deleting it, never interrupting the running one', async () => {
    const foreign = await foreignPrompt(fake, 300);
    await until(() => fake.running?.promptId === foreign);
    const controller = new AbortController();
    const run = generateRegional(backend(), params, { signal: controller.signal });
    await until(() => fake.pending.length === 1);
    const ours = fake.pending[0]!.promptId;
    controller.abort();

    const error = await rejection(run);
    expect(error.kind).toBe('CANCELLED');
    expect(fake.deletes).toEqual([[ours]]);
    expect(fake.interrupts).toEqual([]);
    await until(() => fake.history.has(foreign));
    expect(fake.timeline.some((e) => e === `started ${ours}`)).toBe(false);
  });

  it('stops our prompt when the abort lands while POST /prompt is being answered', async () => {
    const controller = new AbortController();
    // Abort the moment the server queues the prompt, before its answer (with the prompt id) reaches us.
    const push = fake.timeline.push.bind(fake.timeline);
    fake.timeline.push = (...items: string[]) => {
      if (items[0]?.startsWith('queued ')) controller.abort();
      return push(...items);
    };
    const error = await rejection(
      generateRegional(backend(), { ...params, steps: 200 }, { signal: controller.signal }),
    );
    expect(error.kind).toBe('CANCELLED');
    const ours = fake.timeline.find((e) => e.startsWith('queued '))!.slice('queued '.length);
    // Running at once on the idle fake, so interrupted rather than deleted; never run to the end.
    expect([...fake.interrupts, ...fake.deletes]).toHaveLength(1);
    await until(() => fake.history.has(ours));
    expect(fake.timeline).not.toContain(`succeeded ${ours}`);
  });

  it('maps execution errors like generate does', async () => {
    fake.failExecution('oom');
    const error = await rejection(generateRegional(backend(), params, ctx()));
    expect(error.kind).toBe('OUT_OF_MEMORY');
  });

  it('rejects masks of different sizes as INVALID_REQUEST before sending anything', async () => {
    const small: MaskImage = { width: 8, height: 8, data: new Float32Array(64) };
    const bad = [regions[0]!, { ...regions[1]!, positiveMask: small }];
    const error = await rejection(generateRegional(backend(), { ...params, regions: bad }, ctx()));
    expect(error.kind).toBe('INVALID_REQUEST');
    expect(fake.requests).toHaveLength(0);
  });
});
