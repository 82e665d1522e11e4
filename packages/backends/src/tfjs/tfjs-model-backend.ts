import { createHash } from 'node:crypto';
import path from 'node:path';
import {
  type BackendCapabilities,
  BackendError,
  type GenerateParams,
  type GenerationResult,
  type ImageBackend,
  type Img2ImgParams,
  type InpaintParams,
  MAX_SEED,
  type OperationContext,
  type ProgressUpdate,
  type RasterImage,
} from '@pakati/core';
import type { GraphModel, LayersModel, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { type ModelFiles, readModelFiles } from './file-io.ts';
import { embedPrompt, seededLatent } from './generator-inputs.ts';
import { loadTfjs, type Tf, type TfjsPreference } from './tfjs-runtime.ts';

export interface TfjsModelBackendOptions {
  /** Directory holding model.json and its weight shards. */
  modelDir: string;
  /** Backend name, also reported as the result's `model`. Default 'tfjs-model'. */
  name?: string;
  /** Latent length; required only when the model's latent input has no static size. */
  latentSize?: number;
  /** The generator's native output size: checked against the model when loading and against every output. */
  outputSize?: { width: number; height: number };
  /** Which tfjs runtime to use; 'auto' (default) takes the fastest available. */
  preference?: TfjsPreference;
}

export interface TfjsGenerationResult extends GenerationResult {
  /** The tfjs backend that ran the model ('tensorflow', 'wasm' or 'cpu'); seeds reproduce only on the same one. */
  runtime: string;
}

export interface TfjsModelInfo {
  runtime: string;
  format: 'layers-model' | 'graph-model';
  modelVersion: string;
  latentSize: number;
  /** Length of the prompt embedding, null when the model takes no prompt. */
  promptSize: number | null;
  /** The model's output value range, mapped linearly onto [0, 1]. */
  outputRange: [number, number];
}

export interface TfjsModelBackend extends ImageBackend {
  generate(params: GenerateParams, ctx: OperationContext): Promise<TfjsGenerationResult>;
  img2img(params: Img2ImgParams, ctx: OperationContext): Promise<TfjsGenerationResult>;
  inpaint(params: InpaintParams, ctx: OperationContext): Promise<TfjsGenerationResult>;
  /** Loads the runtime and the model now instead of on the first generate(). */
  load(): Promise<TfjsModelInfo>;
  /** Frees the model's weights; a later generate() loads it again. */
  dispose(): Promise<void>;
}

const MAX_SIZE = 1024;
const TOTAL_STEPS = 3;

interface InputSlot {
  name: string;
  /** Shape fed to the model, batch of 1 included. */
  shape: number[];
  size: number;
}

interface LoadedModel extends TfjsModelInfo {
  tf: Tf;
  model: LayersModel | GraphModel;
  latent: InputSlot;
  prompt: InputSlot | null;
  /** Input order the model expects (LayersModel.predict takes an array in model.inputs order). */
  inputOrder: ('latent' | 'prompt')[];
}

/**
 * A user-supplied generator network as an image backend: a tfjs LayersModel or GraphModel mapping a seeded
 * normal latent (plus, with a second input, a hashed bag-of-words prompt embedding) to an image
 * [1, H, W, 1|3|4]. txt2img only; the output is resized bilinearly to the requested size.
 */
export function createTfjsModelBackend(options: TfjsModelBackendOptions): TfjsModelBackend {
  const name = options.name ?? 'tfjs-model';
  const capabilities: BackendCapabilities = {
    maxWidth: MAX_SIZE,
    maxHeight: MAX_SIZE,
    sizeMultiple: 1,
    txt2img: true,
    img2img: false,
    inpainting: false,
    regionalPrompting: false,
    negativePrompt: false,
    deterministicSeeds: true,
    costPerImage: 0,
    rateLimitPerMinute: null,
  };
  let loading: Promise<LoadedModel> | undefined;

  const load = (): Promise<LoadedModel> => {
    if (!loading) {
      const pending = loadModel(name, options);
      loading = pending;
      // Forget a failure so that fixing the model directory does not need a restart.
      pending.catch(() => {
        if (loading === pending) loading = undefined;
      });
    }
    return loading;
  };

  const unsupported = (operation: string): Promise<never> =>
    Promise.reject(new BackendError('UNSUPPORTED', name, `${operation} needs a model with an image input`));

  return {
    name,
    capabilities,
    async generate(params, ctx) {
      const started = performance.now();
      validate(name, params);
      throwIfAborted(name, ctx.signal);
      const loaded = await untilAborted(name, load(), ctx.signal);
      throwIfAborted(name, ctx.signal);
      report(ctx, 1, `model loaded on ${loaded.runtime}`);

      const inferenceStarted = performance.now();
      const pixels = await infer(name, loaded, params, options.outputSize);
      const inferenceMs = performance.now() - inferenceStarted;
      if (ctx.signal.aborted) {
        pixels.dispose();
        throw cancelled(name);
      }
      report(ctx, 2, 'inference done');

      let image: RasterImage;
      try {
        image = toRaster(await pixels.data(), pixels.shape);
      } finally {
        pixels.dispose();
      }
      report(ctx, 3, 'image decoded');
      return {
        image,
        seed: params.seed,
        model: name,
        modelVersion: loaded.modelVersion,
        runtime: loaded.runtime,
        timings: { totalMs: performance.now() - started, inferenceMs },
      };
    },
    img2img: () => unsupported('img2img'),
    inpaint: () => unsupported('inpainting'),
    async load() {
      const loaded = await load();
      const { runtime, format, modelVersion, latentSize, promptSize, outputRange } = loaded;
      return { runtime, format, modelVersion, latentSize, promptSize, outputRange };
    },
    async dispose() {
      const pending = loading;
      loading = undefined;
      if (!pending) return;
      const loaded = await pending.catch(() => undefined);
      loaded?.model.dispose();
    },
  };
}

async function loadModel(name: string, options: TfjsModelBackendOptions): Promise<LoadedModel> {
  let files: ModelFiles;
  let tf: Tf;
  let runtime: string;
  try {
    ({ tf, backend: runtime } = await loadTfjs(options.preference ?? 'auto'));
    files = await readModelFiles(options.modelDir);
  } catch (error) {
    throw unavailable(name, `cannot load ${path.join(options.modelDir, 'model.json')}`, error);
  }
  const format = detectFormat(files);
  let model: LayersModel | GraphModel;
  try {
    const handler = { load: async () => files.artifacts };
    model = format === 'graph-model' ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
  } catch (error) {
    throw unavailable(name, `cannot build the ${format} in ${options.modelDir}`, error);
  }
  try {
    return { ...describeModel(name, files, model, options), tf, model, runtime, format };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function describeModel(
  name: string,
  files: ModelFiles,
  model: LayersModel | GraphModel,
  options: TfjsModelBackendOptions,
): Omit<LoadedModel, 'tf' | 'model' | 'runtime' | 'format'> {
  const bad = (message: string) => new BackendError('UNAVAILABLE', name, `unusable model: ${message}`);
  const inputs = model.inputs.map((input) => ({
    name: input.name,
    dims: (input.shape ?? []).slice(1).map((dim) => (dim == null || dim < 0 ? null : dim)),
    dtype: input.dtype,
  }));
  if (inputs.length < 1 || inputs.length > 2) {
    throw bad(`it has ${inputs.length} inputs; expected a latent and optionally a prompt embedding`);
  }
  for (const input of inputs) {
    if (input.dtype != null && input.dtype !== 'float32') throw bad(`input ${input.name} is ${input.dtype}`);
  }
  // With two inputs the prompt is the one named like it, else the second.
  let promptIndex = inputs.length === 2 ? 1 : -1;
  if (inputs.length === 2 && /prompt|text|embed|cond/i.test(inputs[0]!.name)) promptIndex = 0;
  const latentInput = inputs[promptIndex === 0 ? 1 : 0]!;
  const promptInput = promptIndex >= 0 ? inputs[promptIndex]! : null;

  let latent: InputSlot;
  if (latentInput.dims.length > 0 && latentInput.dims.every((dim) => dim != null)) {
    const dims = latentInput.dims as number[];
    const size = dims.reduce((a, b) => a * b, 1);
    if (options.latentSize != null && options.latentSize !== size) {
      throw bad(`latentSize ${options.latentSize} does not match the model's latent input of ${size}`);
    }
    latent = { name: latentInput.name, shape: [1, ...dims], size };
  } else if (latentInput.dims.length <= 1 && options.latentSize != null) {
    if (!Number.isInteger(options.latentSize) || options.latentSize < 1) throw bad('latentSize must be > 0');
    latent = { name: latentInput.name, shape: [1, options.latentSize], size: options.latentSize };
  } else {
    throw bad(`latent input ${latentInput.name} has no static size; pass latentSize`);
  }

  let prompt: InputSlot | null = null;
  if (promptInput) {
    const size = promptInput.dims.length === 1 ? promptInput.dims[0] : null;
    if (size == null) throw bad(`prompt input ${promptInput.name} must have a static shape [batch, n]`);
    prompt = { name: promptInput.name, shape: [1, size], size };
  }

  const output = model.outputs[0]?.shape;
  if (output && output.length !== 4) throw bad(`its output has rank ${output.length}, expected [1, H, W, C]`);
  const channels = output?.[3];
  if (channels != null && channels > 0 && ![1, 3, 4].includes(channels)) {
    throw bad(`its output has ${channels} channels, expected 1, 3 or 4`);
  }
  const [outHeight, outWidth] = [output?.[1], output?.[2]];
  if (
    options.outputSize &&
    outHeight != null &&
    outWidth != null &&
    outHeight > 0 &&
    outWidth > 0 &&
    (outHeight !== options.outputSize.height || outWidth !== options.outputSize.width)
  ) {
    throw bad(
      `it outputs ${outWidth}x${outHeight}, not the configured ${options.outputSize.width}x${options.outputSize.height}`,
    );
  }

  const metadata = (files.modelJson.userDefinedMetadata ?? {}) as Record<string, unknown>;
  const outputRange = parseOutputRange(metadata.outputRange);
  if (!outputRange) throw bad(`userDefinedMetadata.outputRange must be [low, high] with low < high`);
  const version = metadata.version;
  const modelVersion =
    typeof version === 'string' || typeof version === 'number' ? String(version) : contentHash(files);

  const inputOrder = inputs.map((_, i) => (i === promptIndex ? 'prompt' : 'latent') as 'latent' | 'prompt');
  return {
    latent,
    prompt,
    inputOrder,
    latentSize: latent.size,
    promptSize: prompt?.size ?? null,
    outputRange,
    modelVersion,
  };
}

function detectFormat(files: ModelFiles): 'layers-model' | 'graph-model' {
  const declared = files.modelJson.format;
  if (declared === 'graph-model' || declared === 'layers-model') return declared;
  // Older converters omit `format`; a GraphDef topology is a list of nodes, a Keras one a class name.
  return Array.isArray((files.modelJson.modelTopology as { node?: unknown }).node)
    ? 'graph-model'
    : 'layers-model';
}

function parseOutputRange(value: unknown): [number, number] | null {
  if (value == null) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [low, high] = value.map(Number) as [number, number];
  return Number.isFinite(low) && Number.isFinite(high) && low < high ? [low, high] : null;
}

// Weights included: a retrained model usually keeps its model.json byte for byte.
function contentHash(files: ModelFiles): string {
  const hash = createHash('sha256').update(files.modelJsonBytes);
  for (const shard of files.shards) hash.update(shard);
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}

/** Runs the generator and returns the finished pixels, [H, W, C] in 0..255, resized to the request. */
async function infer(
  name: string,
  loaded: LoadedModel,
  params: GenerateParams,
  outputSize: TfjsModelBackendOptions['outputSize'],
): Promise<Tensor> {
  const { tf } = loaded;
  // The engine is process-global; another user of loadTfjs may have switched it since we loaded.
  if (tf.getBackend() !== loaded.runtime) await tf.setBackend(loaded.runtime);
  const latentValues = seededLatent(params.seed, loaded.latent.size);
  const promptValues = loaded.prompt ? embedPrompt(params.prompt, loaded.prompt.size) : null;
  const makeInputs = (): Tensor[] =>
    loaded.inputOrder.map((kind) =>
      kind === 'latent'
        ? tf.tensor(latentValues, loaded.latent.shape, 'float32')
        : tf.tensor(promptValues!, loaded.prompt!.shape, 'float32'),
    );
  const finish = (raw: Tensor | Tensor[] | Record<string, Tensor>): Tensor => {
    const image = Array.isArray(raw) ? raw[0] : raw instanceof tf.Tensor ? raw : Object.values(raw)[0];
    if (!image) throw new BackendError('PROTOCOL', name, 'the model returned no output');
    checkOutput(name, image.shape, outputSize);
    return postprocess(tf, image, loaded.outputRange, params.width, params.height);
  };
  try {
    if (loaded.format === 'layers-model') {
      const model = loaded.model as LayersModel;
      return tf.tidy(() => finish(model.predict(makeInputs()) as Tensor | Tensor[]));
    }
    // executeAsync handles graphs with control flow; being async it cannot run inside tidy, so dispose by hand.
    const model = loaded.model as GraphModel;
    const inputs = makeInputs();
    const named = Object.fromEntries(
      loaded.inputOrder.map((kind, i) => [
        kind === 'latent' ? loaded.latent.name : loaded.prompt!.name,
        inputs[i]!,
      ]),
    );
    let outputs: Tensor | Tensor[] = [];
    try {
      outputs = await model.executeAsync(named);
      return tf.tidy(() => finish(outputs));
    } finally {
      tf.dispose(inputs);
      tf.dispose(outputs);
    }
  } catch (error) {
    if (error instanceof BackendError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const kind = /out of memory|\bOOM\b|failed to allocate|allocation/i.test(message)
      ? 'OUT_OF_MEMORY'
      : 'PROTOCOL';
    throw new BackendError(kind, name, `inference failed: ${message.split('\n')[0]}`);
  }
}

function checkOutput(name: string, shape: number[], outputSize: TfjsModelBackendOptions['outputSize']): void {
  const [batch, height, width, channels] = shape;
  if (shape.length !== 4 || batch !== 1 || ![1, 3, 4].includes(channels!)) {
    throw new BackendError('PROTOCOL', name, `model output [${shape.join(', ')}] is not [1, H, W, 1|3|4]`);
  }
  if (outputSize && (outputSize.width !== width || outputSize.height !== height)) {
    throw new BackendError(
      'PROTOCOL',
      name,
      `model output is ${width}x${height}, not the configured ${outputSize.width}x${outputSize.height}`,
    );
  }
}

function postprocess(
  tf: Tf,
  image: Tensor,
  [low, high]: [number, number],
  width: number,
  height: number,
): Tensor {
  let unit = image.toFloat();
  if (low !== 0 || high !== 1) unit = unit.sub(low).div(high - low);
  unit = unit.clipByValue(0, 1);
  const [, sourceHeight, sourceWidth] = image.shape;
  if (sourceHeight !== height || sourceWidth !== width) {
    // Half-pixel centres: the resampling grid tf.image and image libraries agree on (no corner shift).
    unit = tf.image.resizeBilinear(unit as Tensor4D, [height, width], false, true);
  }
  return unit.mul(255).round().squeeze([0]);
}

function toRaster(values: ArrayLike<number>, shape: number[]): RasterImage {
  const [height, width, channels] = shape as [number, number, number];
  const data = new Uint8ClampedArray(width * height * 4);
  for (let pixel = 0, source = 0; pixel < width * height; pixel++, source += channels) {
    const out = pixel * 4;
    if (channels === 1) {
      data[out] = data[out + 1] = data[out + 2] = values[source]!;
    } else {
      data[out] = values[source]!;
      data[out + 1] = values[source + 1]!;
      data[out + 2] = values[source + 2]!;
    }
    data[out + 3] = channels === 4 ? values[source + 3]! : 255;
  }
  return { width, height, data };
}

function validate(name: string, params: GenerateParams): void {
  const { width, height, seed } = params;
  for (const [label, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_SIZE) {
      throw new BackendError(
        'INVALID_REQUEST',
        name,
        `${label} must be an integer in 1..${MAX_SIZE}, got ${value}`,
      );
    }
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new BackendError('INVALID_REQUEST', name, `seed must be an integer in 0..${MAX_SEED}, got ${seed}`);
  }
  if (params.model != null && params.model !== name) {
    throw new BackendError(
      'INVALID_REQUEST',
      name,
      `unknown model '${params.model}'; this backend serves '${name}'`,
    );
  }
}

function report(ctx: OperationContext, step: number, message: string): void {
  const update: ProgressUpdate = { step, totalSteps: TOTAL_STEPS, fraction: step / TOTAL_STEPS, message };
  ctx.onProgress?.(update);
}

function cancelled(name: string): BackendError {
  return new BackendError('CANCELLED', name, 'cancelled');
}

function throwIfAborted(name: string, signal: AbortSignal): void {
  if (signal.aborted) throw cancelled(name);
}

// The load is shared between callers, so an abort stops the wait, not the load.
function untilAborted<T>(name: string, promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelled(name));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled(name));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function unavailable(name: string, message: string, cause: unknown): BackendError {
  if (cause instanceof BackendError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new BackendError('UNAVAILABLE', name, `${message}: ${detail.split('\n')[0]}`);
}
