import { describe, expect, it } from 'vitest';
import {
  BackendError,
  createPatchMatchBackend,
  createProceduralBackend,
  createRaster,
  type GenerateParams,
  type ImageBackend,
  type MaskImage,
  type OperationContext,
  type ProgressUpdate,
  type RasterImage,
} from '../src/index.ts';

function context(): { ctx: OperationContext; updates: ProgressUpdate[]; controller: AbortController } {
  const controller = new AbortController();
  const updates: ProgressUpdate[] = [];
  return { ctx: { signal: controller.signal, onProgress: (u) => updates.push(u) }, updates, controller };
}

function expectRealProgress(updates: ProgressUpdate[], steps: number): void {
  expect(updates).toHaveLength(steps);
  updates.forEach((u, i) => {
    expect(u.step).toBe(i + 1);
    expect(u.totalSteps).toBe(steps);
    expect(u.fraction).toBeCloseTo((i + 1) / steps, 12);
  });
  expect(updates.at(-1)!.fraction).toBe(1);
}

async function rejection(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BackendError);
    return error as BackendError;
  }
  throw new Error('expected a rejection');
}

function same(a: Uint8ClampedArray, b: Uint8ClampedArray): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** A mask covering a centred box, with soft values on its rim. */
function boxMask(width: number, height: number): MaskImage {
  const data = new Float32Array(width * height);
  for (let y = 10; y < 30; y++) for (let x = 12; x < 40; x++) data[y * width + x] = 1;
  for (let x = 12; x < 40; x++) data[30 * width + x] = 0.5;
  return { width, height, data };
}

function gradient(width: number, height: number): RasterImage {
  const image = createRaster(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set([x * 4, y * 4, 128, 255], (y * width + x) * 4);
  }
  return image;
}

const base: GenerateParams = { prompt: 'blue ocean waves', width: 64, height: 48, seed: 77 };

describe('procedural backend', () => {
  const backend: ImageBackend = createProceduralBackend();

  it('declares what it can do', () => {
    expect(backend.name).toBe('procedural');
    expect(createProceduralBackend({ name: 'offline' }).name).toBe('offline');
    expect(backend.capabilities).toMatchObject({
      txt2img: true,
      img2img: true,
      inpainting: true,
      regionalPrompting: false,
      negativePrompt: true,
      deterministicSeeds: true,
      maxWidth: 4096,
      maxHeight: 4096,
      sizeMultiple: 1,
      costPerImage: 0,
    });
  });

  it('generates an opaque image of the requested size, byte-identical per seed, with real progress', async () => {
    const first = context();
    const a = await backend.generate(base, first.ctx);
    const b = await backend.generate(base, context().ctx);
    const c = await backend.generate({ ...base, seed: 78 }, context().ctx);
    expect(a.image.width).toBe(64);
    expect(a.image.height).toBe(48);
    expect(a.image.data.length).toBe(64 * 48 * 4);
    for (let i = 3; i < a.image.data.length; i += 4) expect(a.image.data[i]).toBe(255);
    expect(same(a.image.data, b.image.data)).toBe(true);
    expect(same(a.image.data, c.image.data)).toBe(false);
    expect(a).toMatchObject({ seed: 77, model: 'procedural', modelVersion: '1' });
    expect(a.timings.totalMs).toBeGreaterThanOrEqual(0);
    // The renderer's own steps: 4 background bands, 1 region, finalize.
    expectRealProgress(first.updates, 6);
  });

  it('honours the negative prompt through the palette', async () => {
    const plain = await backend.generate({ ...base, prompt: 'red stripes' }, context().ctx);
    const negated = await backend.generate(
      { ...base, prompt: 'red stripes', negativePrompt: 'red' },
      context().ctx,
    );
    const redPixels = (image: RasterImage): number => {
      let count = 0;
      for (let i = 0; i < image.data.length; i += 4) {
        if (image.data[i]! > 150 && image.data[i + 1]! < 90 && image.data[i + 2]! < 90) count++;
      }
      return count;
    };
    expect(redPixels(plain.image)).toBeGreaterThan(100);
    expect(redPixels(negated.image)).toBe(0);
  });

  it('inpaints only through the mask: mask-0 pixels stay byte-identical, masked ones change', async () => {
    const init = gradient(52, 40);
    const mask = boxMask(52, 40);
    const { ctx, updates } = context();
    const result = await backend.inpaint({ ...base, width: 52, height: 40, init, mask }, ctx);
    expect(result.image.width).toBe(52);
    let changed = 0;
    for (let p = 0; p < mask.data.length; p++) {
      const m = mask.data[p]!;
      const moved = [0, 1, 2, 3].some((c) => result.image.data[p * 4 + c] !== init.data[p * 4 + c]);
      if (m === 0) expect(moved).toBe(false);
      else if (moved) changed++;
    }
    expect(changed).toBeGreaterThan(20 * 28 * 0.9);
    expectRealProgress(updates, 7);
    const again = await backend.inpaint({ ...base, width: 52, height: 40, init, mask }, context().ctx);
    expect(same(again.image.data, result.image.data)).toBe(true);
  });

  it('img2img blends by strength: 0 keeps the init image, 1 is the generated pattern', async () => {
    const init = gradient(64, 48);
    const generated = await backend.generate(base, context().ctx);
    const keep = await backend.img2img({ ...base, init, strength: 0 }, context().ctx);
    const replace = await backend.img2img({ ...base, init, strength: 1 }, context().ctx);
    const half = await backend.img2img({ ...base, init, strength: 0.5 }, context().ctx);
    expect(same(keep.image.data, init.data)).toBe(true);
    expect(same(replace.image.data, generated.image.data)).toBe(true);
    for (let i = 0; i < half.image.data.length; i += 97) {
      const expected = (init.data[i]! + generated.image.data[i]!) / 2;
      expect(Math.abs(half.image.data[i]! - expected)).toBeLessThanOrEqual(0.5);
    }
    await expect(
      rejection(backend.img2img({ ...base, init, strength: 1.5 }, context().ctx)),
    ).resolves.toMatchObject({
      kind: 'INVALID_REQUEST',
    });
  });

  it('cancels between renderer steps', async () => {
    const aborted = context();
    aborted.controller.abort();
    expect((await rejection(backend.generate(base, aborted.ctx))).kind).toBe('CANCELLED');
    expect(aborted.updates).toHaveLength(0);

    const midway = context();
    const ctx: OperationContext = {
      signal: midway.controller.signal,
      onProgress: (u) => {
        midway.updates.push(u);
        if (u.step === 2) midway.controller.abort();
      },
    };
    expect((await rejection(backend.generate(base, ctx))).kind).toBe('CANCELLED');
    expect(midway.updates).toHaveLength(2);
  });

  it('rejects sizes it cannot render and bad seeds as INVALID_REQUEST', async () => {
    expect((await rejection(backend.generate({ ...base, width: 5000 }, context().ctx))).kind).toBe(
      'INVALID_REQUEST',
    );
    expect((await rejection(backend.generate({ ...base, height: 0 }, context().ctx))).kind).toBe(
      'INVALID_REQUEST',
    );
    expect((await rejection(backend.generate({ ...base, seed: -3 }, context().ctx))).kind).toBe(
      'INVALID_REQUEST',
    );
    const init = gradient(52, 40);
    const wrongMask = boxMask(40, 40);
    expect((await rejection(backend.inpaint({ ...base, init, mask: wrongMask }, context().ctx))).kind).toBe(
      'INVALID_REQUEST',
    );
  });
});

describe('patchmatch backend', () => {
  const backend = createPatchMatchBackend();

  it('declares inpainting only', () => {
    expect(backend.name).toBe('patchmatch');
    expect(backend.capabilities).toMatchObject({
      txt2img: false,
      img2img: false,
      inpainting: true,
      regionalPrompting: false,
      negativePrompt: false,
      deterministicSeeds: true,
      maxWidth: 2048,
      maxHeight: 2048,
      sizeMultiple: 1,
      costPerImage: 0,
    });
  });

  it('throws UNSUPPORTED for generate and img2img', async () => {
    expect((await rejection(backend.generate(base, context().ctx))).kind).toBe('UNSUPPORTED');
    const init = gradient(64, 48);
    expect((await rejection(backend.img2img({ ...base, init, strength: 0.5 }, context().ctx))).kind).toBe(
      'UNSUPPORTED',
    );
  });

  it('fills the mask from the image, keeps the rest byte-identical and reports the real iterations', async () => {
    const init = gradient(52, 40);
    const mask = boxMask(52, 40);
    const { ctx, updates } = context();
    const result = await backend.inpaint({ ...base, width: 52, height: 40, init, mask }, ctx);
    expect(result).toMatchObject({ seed: 77, model: 'patchmatch', modelVersion: '1' });
    for (let p = 0; p < mask.data.length; p++) {
      if (mask.data[p] !== 0) continue;
      for (let c = 0; c < 4; c++) expect(result.image.data[p * 4 + c]).toBe(init.data[p * 4 + c]);
    }
    expect(updates.length).toBeGreaterThan(1);
    expect(updates.at(-1)!.fraction).toBe(1);
    for (let i = 1; i < updates.length; i++)
      expect(updates[i]!.fraction).toBeGreaterThan(updates[i - 1]!.fraction);
    const again = await backend.inpaint({ ...base, width: 52, height: 40, init, mask }, context().ctx);
    expect(same(again.image.data, result.image.data)).toBe(true);
  });

  it('copies from params.reference when given', async () => {
    const init = gradient(52, 40);
    const mask = boxMask(52, 40);
    const reference = createRaster(30, 30);
    for (let p = 0; p < 900; p++) reference.data.set([250, 250, 0, 255], p * 4);
    const result = await backend.inpaint({ ...base, init, mask, reference }, context().ctx);
    const p = 20 * 52 + 25;
    expect(Array.from(result.image.data.subarray(p * 4, p * 4 + 4))).toEqual([250, 250, 0, 255]);
  });

  it('cancels between iterations and rejects bad input as INVALID_REQUEST', async () => {
    const init = gradient(52, 40);
    const mask = boxMask(52, 40);
    const controller = new AbortController();
    let calls = 0;
    const ctx: OperationContext = {
      signal: controller.signal,
      onProgress: () => {
        calls++;
        controller.abort();
      },
    };
    expect((await rejection(backend.inpaint({ ...base, init, mask }, ctx))).kind).toBe('CANCELLED');
    expect(calls).toBe(1);
    const full = { width: 52, height: 40, data: new Float32Array(52 * 40).fill(1) };
    expect((await rejection(backend.inpaint({ ...base, init, mask: full }, context().ctx))).kind).toBe(
      'INVALID_REQUEST',
    );
    const huge = { width: 4000, height: 10, data: new Uint8ClampedArray(4000 * 10 * 4) };
    const hugeMask = { width: 4000, height: 10, data: new Float32Array(40000) };
    expect(
      (await rejection(backend.inpaint({ ...base, init: huge, mask: hugeMask }, context().ctx))).kind,
    ).toBe('INVALID_REQUEST');
  });
});
