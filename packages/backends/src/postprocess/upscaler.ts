import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BackendError, type RasterImage } from '@pakati/core';
import type { GraphModel, LayersModel, Tensor } from '@tensorflow/tfjs';
import sharp from 'sharp';
import { resizeRaster } from '../image-codec.ts';
import { readModelFiles } from '../tfjs/file-io.ts';
import { loadTfjs, type Tf, type TfjsPreference } from '../tfjs/tfjs-runtime.ts';
import { assertRaster, invalidRequest, POSTPROCESS } from './raster-sharp.ts';

export const UPSCALE_FACTORS = [2, 3, 4, 8] as const;
export type UpscaleFactor = (typeof UPSCALE_FACTORS)[number];

export interface UpscalerOptions {
  /** Which tfjs runtime runs the model; 'auto' (default) takes the fastest available. */
  preference?: TfjsPreference;
  /** Side of the square each model call upscales, in input pixels (edge tiles may be smaller). Default 64. */
  patchSize?: number;
  /**
   * Input pixels of context added around every patch and cut off after upscaling. The esrgan-slim network sees
   * 10 input pixels in every direction, so 10 (the default) makes tiles invisible; less is faster and leaves
   * faint seams.
   */
  padding?: number;
  /** Larger inputs are resized with lanczos3 instead of the model. Default 1024 * 1024. */
  maxInputPixels?: number;
  /** Directory with x2/, x3/, x4/ and x8/ model directories; defaults to the ones @upscalerjs/esrgan-slim ships. */
  modelsDir?: string;
}

export interface UpscaleContext {
  signal?: AbortSignal;
  /** Called after every patch with the fraction done, and with 1 when a lanczos resize finishes. */
  onProgress?: (fraction: number) => void;
}

export interface UpscaleResult {
  image: RasterImage;
  /** 'lanczos' when the model could not load or the input exceeded maxInputPixels. */
  method: 'esrgan-slim' | 'lanczos';
  /** The tfjs backend that ran the model ('tensorflow', 'wasm' or 'cpu'); null for lanczos. */
  runtime: string | null;
  /** Wall time of the whole call, model loading included. */
  ms: number;
}

export interface Upscaler {
  upscale(image: RasterImage, scale: UpscaleFactor, ctx?: UpscaleContext): Promise<UpscaleResult>;
  /** Frees the loaded models; a later upscale() loads them again. Call it when no upscale() is running. */
  dispose(): void;
}

interface LoadedModel {
  tf: Tf;
  runtime: string;
  model: LayersModel | GraphModel;
}

interface Tile {
  /** The part of the output this tile owns, in input pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** What the model sees: the tile grown by the padding, clipped to the image. */
  inX: number;
  inY: number;
  inWidth: number;
  inHeight: number;
}

const DEFAULT_PATCH_SIZE = 64;
const DEFAULT_PADDING = 10;
const DEFAULT_MAX_INPUT_PIXELS = 1024 * 1024;
const PACKAGE = '@upscalerjs/esrgan-slim';

/**
 * Super-resolution with the esrgan-slim (RDN) models, run patch by patch so memory stays bounded and progress
 * is real. The models take and return RGB in 0..255; alpha is resized separately with lanczos3. Falls back to a
 * lanczos3 resize when the model cannot be loaded or the image is too large for it.
 */
export function createUpscaler(options: UpscalerOptions = {}): Upscaler {
  const preference = options.preference ?? 'auto';
  const patchSize = options.patchSize ?? DEFAULT_PATCH_SIZE;
  const padding = options.padding ?? DEFAULT_PADDING;
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  if (!Number.isInteger(patchSize) || patchSize < 1) {
    throw invalidRequest(`patchSize must be a positive integer, got ${patchSize}`);
  }
  if (!Number.isInteger(padding) || padding < 0) {
    throw invalidRequest(`padding must be a non-negative integer, got ${padding}`);
  }
  if (!(maxInputPixels > 0)) throw invalidRequest(`maxInputPixels must be positive, got ${maxInputPixels}`);

  const models = new Map<UpscaleFactor, Promise<LoadedModel>>();

  function model(scale: UpscaleFactor): Promise<LoadedModel> {
    let pending = models.get(scale);
    if (!pending) {
      pending = loadModel(preference, options.modelsDir, scale);
      models.set(scale, pending);
      // A failed load is forgotten, so that a later call can try again.
      pending.catch(() => {
        if (models.get(scale) === pending) models.delete(scale);
      });
    }
    return pending;
  }

  return {
    async upscale(image, scale, ctx = {}) {
      const started = performance.now();
      assertRaster(image);
      if (!UPSCALE_FACTORS.includes(scale)) {
        throw invalidRequest(`scale must be one of ${UPSCALE_FACTORS.join(', ')}, got ${scale}`);
      }
      throwIfAborted(ctx.signal);
      const lanczos = async (): Promise<UpscaleResult> => {
        const resized = await resizeRaster(image, image.width * scale, image.height * scale);
        throwIfAborted(ctx.signal);
        ctx.onProgress?.(1);
        return { image: resized, method: 'lanczos', runtime: null, ms: performance.now() - started };
      };
      if (image.width * image.height > maxInputPixels) return lanczos();
      let loaded: LoadedModel;
      try {
        loaded = await model(scale);
      } catch {
        // Loading failures are about this host (no runtime, missing weights), not the request: resize instead.
        throwIfAborted(ctx.signal);
        return lanczos();
      }
      throwIfAborted(ctx.signal);
      let upscaled: RasterImage;
      try {
        upscaled = await runTiled(loaded, image, scale, patchSize, padding, ctx);
      } catch (error) {
        throw inferenceError(error);
      }
      return {
        image: upscaled,
        method: 'esrgan-slim',
        runtime: loaded.runtime,
        ms: performance.now() - started,
      };
    },

    dispose() {
      for (const pending of models.values()) {
        pending.then(
          (loaded) => loaded.model.dispose(),
          () => {},
        );
      }
      models.clear();
    },
  };
}

async function loadModel(
  preference: TfjsPreference,
  modelsDir: string | undefined,
  scale: UpscaleFactor,
): Promise<LoadedModel> {
  const { tf, backend } = await loadTfjs(preference);
  const dir = path.join(modelsDir ?? (await packageModelsDir()), `x${scale}`);
  const files = await readModelFiles(dir);
  // tfjs in Node has no file:// loader; hand it the artifacts read from disk.
  const handler = { load: async () => files.artifacts };
  const model =
    files.modelJson.format === 'graph-model'
      ? await tf.loadGraphModel(handler)
      : await tf.loadLayersModel(handler);
  return { tf, runtime: backend, model };
}

let modelsDirLookup: Promise<string> | undefined;

/** The package exports only its JS entry points, so walk up from one to the directory holding models/. */
function packageModelsDir(): Promise<string> {
  modelsDirLookup ??= (async () => {
    const require = createRequire(import.meta.url);
    let dir = path.dirname(require.resolve(PACKAGE));
    for (;;) {
      try {
        const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
          name?: string;
        };
        if (manifest.name === PACKAGE) return path.join(dir, 'models');
      } catch {
        // No package.json at this level (or not JSON): keep walking up.
      }
      const parent = path.dirname(dir);
      if (parent === dir) throw new Error(`cannot find the ${PACKAGE} package directory`);
      dir = parent;
    }
  })();
  modelsDirLookup.catch(() => {
    modelsDirLookup = undefined;
  });
  return modelsDirLookup;
}

async function runTiled(
  { tf, model }: LoadedModel,
  image: RasterImage,
  scale: number,
  patchSize: number,
  padding: number,
  ctx: UpscaleContext,
): Promise<RasterImage> {
  const outWidth = image.width * scale;
  const outHeight = image.height * scale;
  const out = new Uint8ClampedArray(outWidth * outHeight * 4);
  const tiles = planTiles(image.width, image.height, patchSize, padding);
  for (let index = 0; index < tiles.length; index++) {
    // A macrotask between patches lets abort handlers (and everything else on the event loop) run.
    await new Promise<void>((resolve) => setImmediate(resolve));
    throwIfAborted(ctx.signal);
    const tile = tiles[index]!;
    const input = tileInput(image, tile);
    const result = tf.tidy(() =>
      firstTensor(model.predict(tf.tensor4d(input, [1, tile.inHeight, tile.inWidth, 3]))),
    );
    let values: ArrayLike<number>;
    try {
      const [, h, w, c] = result.shape;
      if (h !== tile.inHeight * scale || w !== tile.inWidth * scale || c !== 3) {
        throw new BackendError(
          'PROTOCOL',
          POSTPROCESS,
          `the x${scale} model returned ${result.shape.join('x')} for a ${tile.inWidth}x${tile.inHeight} patch`,
        );
      }
      values = await result.data();
    } finally {
      result.dispose();
    }
    writeTile(out, outWidth, values, tile, scale);
    ctx.onProgress?.((index + 1) / tiles.length);
  }
  await writeAlpha(out, image, outWidth, outHeight);
  return { width: outWidth, height: outHeight, data: out };
}

/** Equal-sized tiles (within a pixel) covering the image, so no edge tile is a sliver. */
function planTiles(width: number, height: number, patchSize: number, padding: number): Tile[] {
  const spans = (length: number): [number, number][] => {
    const count = Math.ceil(length / patchSize);
    return Array.from({ length: count }, (_, i): [number, number] => {
      const start = Math.round((i * length) / count);
      return [start, Math.round(((i + 1) * length) / count) - start];
    });
  };
  const tiles: Tile[] = [];
  for (const [y, tileHeight] of spans(height)) {
    for (const [x, tileWidth] of spans(width)) {
      const inX = Math.max(0, x - padding);
      const inY = Math.max(0, y - padding);
      tiles.push({
        x,
        y,
        width: tileWidth,
        height: tileHeight,
        inX,
        inY,
        inWidth: Math.min(width, x + tileWidth + padding) - inX,
        inHeight: Math.min(height, y + tileHeight + padding) - inY,
      });
    }
  }
  return tiles;
}

function tileInput(image: RasterImage, tile: Tile): Float32Array {
  const input = new Float32Array(tile.inWidth * tile.inHeight * 3);
  let o = 0;
  for (let row = 0; row < tile.inHeight; row++) {
    let i = ((tile.inY + row) * image.width + tile.inX) * 4;
    for (let col = 0; col < tile.inWidth; col++, i += 4) {
      input[o++] = image.data[i]!;
      input[o++] = image.data[i + 1]!;
      input[o++] = image.data[i + 2]!;
    }
  }
  return input;
}

/** Copies the tile's un-padded centre into the output; the clamped array rounds and clips the model's floats. */
function writeTile(
  out: Uint8ClampedArray,
  outWidth: number,
  values: ArrayLike<number>,
  tile: Tile,
  scale: number,
): void {
  const valuesWidth = tile.inWidth * scale;
  const offsetX = (tile.x - tile.inX) * scale;
  const offsetY = (tile.y - tile.inY) * scale;
  const width = tile.width * scale;
  for (let row = 0; row < tile.height * scale; row++) {
    let v = ((offsetY + row) * valuesWidth + offsetX) * 3;
    let o = ((tile.y * scale + row) * outWidth + tile.x * scale) * 4;
    for (let col = 0; col < width; col++, v += 3, o += 4) {
      out[o] = values[v]!;
      out[o + 1] = values[v + 1]!;
      out[o + 2] = values[v + 2]!;
    }
  }
}

async function writeAlpha(
  out: Uint8ClampedArray,
  image: RasterImage,
  outWidth: number,
  outHeight: number,
): Promise<void> {
  const alpha = Buffer.alloc(image.width * image.height);
  let opaque = true;
  for (let i = 0; i < alpha.length; i++) {
    alpha[i] = image.data[i * 4 + 3]!;
    if (alpha[i] !== 255) opaque = false;
  }
  if (opaque) {
    for (let i = 3; i < out.length; i += 4) out[i] = 255;
    return;
  }
  const resized = await sharp(alpha, { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize(outWidth, outHeight, { fit: 'fill', kernel: 'lanczos3' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  for (let i = 0; i < resized.length; i++) out[i * 4 + 3] = resized[i]!;
}

function firstTensor(output: Tensor | Tensor[] | Record<string, Tensor>): Tensor {
  if (Array.isArray(output)) return output[0]!;
  if ('dataId' in output) return output as Tensor;
  return Object.values(output)[0]!;
}

// The same classification as the tfjs model backend: memory exhaustion is worth a retry elsewhere.
function inferenceError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const kind = /out of memory|\bOOM\b|failed to allocate|allocation/i.test(message)
    ? 'OUT_OF_MEMORY'
    : 'PROTOCOL';
  return new BackendError(kind, POSTPROCESS, `upscale failed: ${message.split('\n')[0]}`);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BackendError('CANCELLED', POSTPROCESS, 'upscale cancelled');
}
