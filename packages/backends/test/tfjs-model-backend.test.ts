import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BackendError, type ProgressUpdate, type RasterImage } from '@pakati/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemLoader, fileSystemSaver, readModelFiles } from '../src/tfjs/file-io.ts';
import { embedPrompt, seededLatent } from '../src/tfjs/generator-inputs.ts';
import { createTfjsModelBackend, type TfjsModelBackend } from '../src/tfjs/tfjs-model-backend.ts';
import { loadTfjs } from '../src/tfjs/tfjs-runtime.ts';

const LATENT = 16;
const PROMPT = 32;

let root: string;
let plainDir: string;
let promptDir: string;
let plain: TfjsModelBackend;

/** latent 16 -> dense 8*8*3 -> reshape -> 2x upsampling -> sigmoid: a 16x16 image in [0, 1]. */
async function savePlainGenerator(dir: string): Promise<void> {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [LATENT],
      units: 8 * 8 * 3,
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: 7 }),
      biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 8 }),
    }),
  );
  model.add(tf.layers.reshape({ targetShape: [8, 8, 3] }));
  model.add(tf.layers.upSampling2d({ size: [2, 2] }));
  model.add(tf.layers.activation({ activation: 'sigmoid' }));
  model.setUserDefinedMetadata({ version: 'test-1', outputRange: [0, 1] });
  // Small shards so that loading has to stitch weights across files.
  await model.save(fileSystemSaver(dir, { shardSizeBytes: 1000 }));
  model.dispose();
}

/** Inputs [prompt, latent] (prompt first, found by name) -> concat -> dense -> tanh: an 8x8 image in [-1, 1]. */
async function savePromptGenerator(dir: string): Promise<void> {
  const prompt = tf.input({ shape: [PROMPT], name: 'prompt' });
  const latent = tf.input({ shape: [LATENT], name: 'latent' });
  const joined = tf.layers.concatenate().apply([prompt, latent]) as tf.SymbolicTensor;
  const dense = tf.layers
    .dense({
      units: 8 * 8 * 3,
      activation: 'tanh',
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: 9 }),
    })
    .apply(joined) as tf.SymbolicTensor;
  const image = tf.layers.reshape({ targetShape: [8, 8, 3] }).apply(dense) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [prompt, latent], outputs: image });
  model.setUserDefinedMetadata({ outputRange: [-1, 1] });
  await model.save(fileSystemSaver(dir));
  model.dispose();
}

function ctx(onProgress?: (update: ProgressUpdate) => void, signal = new AbortController().signal) {
  return { signal, onProgress };
}

function params(seed: number, width = 32, height = 32, prompt = 'a red fox') {
  return { prompt, width, height, seed };
}

function rgb(image: RasterImage): number[] {
  return Array.from(image.data).filter((_, i) => i % 4 !== 3);
}

/** What the backend should produce, computed straight from the saved model with the same ops. */
async function expectedPixels(
  dir: string,
  inputs: (number[] | Float32Array)[],
  map: (x: tf.Tensor) => tf.Tensor,
  size?: [number, number],
): Promise<number[]> {
  const model = await tf.loadLayersModel(fileSystemLoader(dir));
  const pixels = tf.tidy(() => {
    const feeds = inputs.map((values) => tf.tensor2d(Array.from(values), [1, values.length]));
    let x = map(model.predict(feeds.length === 1 ? feeds[0]! : feeds) as tf.Tensor).clipByValue(0, 1);
    if (size) x = tf.image.resizeBilinear(x as tf.Tensor4D, size, false, true);
    return x.mul(255).round();
  });
  const values = Array.from(await pixels.data());
  pixels.dispose();
  model.dispose();
  return values;
}

async function rejection(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendError);
  return error as BackendError;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'pakati-tfjs-'));
  plainDir = path.join(root, 'plain');
  promptDir = path.join(root, 'prompt');
  expect((await loadTfjs('wasm')).backend).toBe('wasm');
  await savePlainGenerator(plainDir);
  await savePromptGenerator(promptDir);
  plain = createTfjsModelBackend({
    modelDir: plainDir,
    preference: 'wasm',
    outputSize: { width: 16, height: 16 },
  });
});

afterAll(async () => {
  await plain?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('tfjs runtime', () => {
  it('gets the wasm backend and memoizes it', async () => {
    const first = await loadTfjs('wasm');
    expect(first.backend).toBe('wasm');
    expect(await loadTfjs('wasm')).toBe(first);
    expect(first.tf.getBackend()).toBe('wasm');
  });

  it('without tfjs-node: rejects an explicit tensorflow preference, auto falls back to wasm', async () => {
    const require = createRequire(import.meta.url);
    const installed = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((name) => {
      try {
        require.resolve(name);
        return true;
      } catch {
        return false;
      }
    });
    if (installed) return;
    await expect(loadTfjs('tensorflow')).rejects.toThrow(/tfjs-node/);
    // 'auto' walks past the missing native packages to wasm.
    expect((await loadTfjs('auto')).backend).toBe('wasm');
  });
});

describe('file io', () => {
  it('writes shards and reads the model back with the same weights', async () => {
    const files = (await readdir(plainDir)).sort();
    expect(files).toContain('model.json');
    expect(files.filter((f) => f.endsWith('.bin')).length).toBeGreaterThan(1);
    const loaded = await readModelFiles(plainDir);
    expect(loaded.modelJson.userDefinedMetadata).toEqual({ version: 'test-1', outputRange: [0, 1] });
    expect(loaded.shards.reduce((n, s) => n + s.byteLength, 0)).toBe((LATENT * 192 + 192) * 4);

    const model = await tf.loadLayersModel(fileSystemLoader(plainDir));
    const kernel = model.getWeights()[0]!;
    const fresh = tf.tidy(() =>
      tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: 7 }).apply([LATENT, 192]),
    );
    expect(Array.from(kernel.dataSync())).toEqual(Array.from(fresh.dataSync()));
    fresh.dispose();
    model.dispose();
  });

  it('refuses weight paths outside the model directory', async () => {
    const dir = path.join(root, 'escape');
    const { modelJson } = await readModelFiles(plainDir);
    modelJson.weightsManifest[0]!.paths = ['../plain/weights.bin'];
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    await expect(readModelFiles(dir)).rejects.toThrow(/leaves the model directory/);
  });
});

describe('tfjs-model backend', () => {
  it('generates the requested size on wasm with the three real progress steps', async () => {
    const updates: ProgressUpdate[] = [];
    const result = await plain.generate(
      params(1, 32, 32),
      ctx((u) => updates.push(u)),
    );
    expect(result.image.width).toBe(32);
    expect(result.image.height).toBe(32);
    expect(result.image.data.length).toBe(32 * 32 * 4);
    expect(result.runtime).toBe('wasm');
    expect(result.model).toBe('tfjs-model');
    expect(result.modelVersion).toBe('test-1');
    expect(result.seed).toBe(1);
    expect(result.timings.inferenceMs).toBeGreaterThanOrEqual(0);
    expect(updates.map((u) => [u.step, u.totalSteps, u.fraction])).toEqual([
      [1, 3, 1 / 3],
      [2, 3, 2 / 3],
      [3, 3, 1],
    ]);

    const wide = await plain.generate(params(1, 64, 48), ctx());
    expect([wide.image.width, wide.image.height, wide.image.data.length]).toEqual([64, 48, 64 * 48 * 4]);
    expect(Array.from(wide.image.data).filter((_, i) => i % 4 === 3)).toEqual(new Array(64 * 48).fill(255));
  });

  it('is deterministic per seed and varies across seeds', async () => {
    const a = await plain.generate(params(42), ctx());
    const b = await plain.generate(params(42), ctx());
    const c = await plain.generate(params(43), ctx());
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    expect(Buffer.from(a.image.data).equals(Buffer.from(c.image.data))).toBe(false);
  });

  it('outputs exactly what the model computes for the seed latent', async () => {
    const latent = seededLatent(5, LATENT);
    const native = await plain.generate(params(5, 16, 16), ctx());
    expect(rgb(native.image)).toEqual(await expectedPixels(plainDir, [latent], (x) => x));
    const resized = await plain.generate(params(5, 64, 48), ctx());
    expect(rgb(resized.image)).toEqual(await expectedPixels(plainDir, [latent], (x) => x, [48, 64]));
    // Not a flat image: the model's structure shows through.
    const values = rgb(native.image);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(100);
  });

  it('feeds a hashed prompt embedding to a two-input model and maps [-1, 1] output', async () => {
    const backend = createTfjsModelBackend({ modelDir: promptDir, name: 'prompted', preference: 'wasm' });
    try {
      const info = await backend.load();
      expect(info).toMatchObject({
        runtime: 'wasm',
        latentSize: LATENT,
        promptSize: PROMPT,
        outputRange: [-1, 1],
      });
      const fox = await backend.generate(params(3, 8, 8, 'a red fox'), ctx());
      const again = await backend.generate(params(3, 8, 8, 'A red FOX!'), ctx());
      const owl = await backend.generate(params(3, 8, 8, 'a snowy owl'), ctx());
      expect(fox.model).toBe('prompted');
      expect(fox.modelVersion).toMatch(/^sha256:[0-9a-f]{16}$/);
      expect(rgb(again.image)).toEqual(rgb(fox.image));
      expect(rgb(owl.image)).not.toEqual(rgb(fox.image));
      const expected = await expectedPixels(
        promptDir,
        [embedPrompt('a red fox', PROMPT), seededLatent(3, LATENT)],
        (x) => x.sub(-1).div(2),
      );
      expect(rgb(fox.image)).toEqual(expected);
    } finally {
      await backend.dispose();
    }
  });

  it('leaks no tensors over 20 runs and frees its weights on dispose', async () => {
    await plain.generate(params(0), ctx());
    const before = tf.memory().numTensors;
    for (let seed = 0; seed < 20; seed++) await plain.generate(params(seed, 40, 24), ctx());
    expect(tf.memory().numTensors).toBe(before);

    await plain.dispose();
    expect(tf.memory().numTensors).toBe(before - 2); // dense kernel and bias
    const reloaded = await plain.generate(params(0), ctx());
    expect(reloaded.image.width).toBe(32);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('honours cancellation before and after inference', async () => {
    const aborted = new AbortController();
    aborted.abort();
    expect((await rejection(plain.generate(params(1), ctx(undefined, aborted.signal)))).kind).toBe(
      'CANCELLED',
    );

    await plain.generate(params(1), ctx());
    const before = tf.memory().numTensors;
    const midway = new AbortController();
    const steps: number[] = [];
    const error = await rejection(
      plain.generate(
        params(1),
        ctx((u) => {
          steps.push(u.step);
          if (u.step === 1) midway.abort();
        }, midway.signal),
      ),
    );
    expect(error.kind).toBe('CANCELLED');
    expect(steps).toEqual([1]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses img2img, inpainting and invalid requests', async () => {
    const init: RasterImage = { width: 4, height: 4, data: new Uint8ClampedArray(64) };
    const mask = { width: 4, height: 4, data: new Float32Array(16) };
    expect(plain.capabilities).toMatchObject({
      txt2img: true,
      img2img: false,
      inpainting: false,
      deterministicSeeds: true,
      negativePrompt: false,
      regionalPrompting: false,
      maxWidth: 1024,
      maxHeight: 1024,
      sizeMultiple: 1,
      costPerImage: 0,
    });
    expect((await rejection(plain.inpaint({ ...params(1), init, mask }, ctx()))).kind).toBe('UNSUPPORTED');
    expect((await rejection(plain.img2img({ ...params(1), init, strength: 0.5 }, ctx()))).kind).toBe(
      'UNSUPPORTED',
    );
    expect((await rejection(plain.generate(params(1, 2048, 32), ctx()))).kind).toBe('INVALID_REQUEST');
    expect((await rejection(plain.generate(params(-1), ctx()))).kind).toBe('INVALID_REQUEST');
    expect((await rejection(plain.generate({ ...params(1), model: 'other' }, ctx()))).kind).toBe(
      'INVALID_REQUEST',
    );
  });

  it('reports a missing or mismatched model as UNAVAILABLE', async () => {
    const missing = createTfjsModelBackend({ modelDir: path.join(root, 'nope'), preference: 'wasm' });
    const error = await rejection(missing.generate(params(1), ctx()));
    expect(error.kind).toBe('UNAVAILABLE');
    expect(error.retryable).toBe(true);

    const wrongLatent = createTfjsModelBackend({ modelDir: plainDir, preference: 'wasm', latentSize: 8 });
    expect((await rejection(wrongLatent.generate(params(1), ctx()))).message).toMatch(/latentSize 8/);
    const wrongSize = createTfjsModelBackend({
      modelDir: plainDir,
      preference: 'wasm',
      outputSize: { width: 32, height: 32 },
    });
    expect((await rejection(wrongSize.generate(params(1), ctx()))).message).toMatch(/outputs 16x16/);
  });
});
