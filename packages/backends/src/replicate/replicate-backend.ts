import { setTimeout as delay } from 'node:timers/promises';
import {
  type BackendCapabilities,
  BackendError,
  type GenerateParams,
  type GenerationResult,
  type ImageBackend,
  isBackendError,
  type OperationContext,
  type ProgressUpdate,
} from '@pakati/core';
import { z } from 'zod';
import { backendFetch, errorFromResponse } from '../http-errors.ts';
import { decodeImage, encodeMaskPng, encodePng, resizeRaster } from '../image-codec.ts';
import { startScope } from '../operation-scope.ts';
import { parseTqdmProgress } from './tqdm-progress.ts';

/** How a model takes its output size. */
export type ReplicateSizeInput =
  /** FLUX style: an `aspect_ratio` enum, the model picks the pixels. */
  | 'aspect_ratio'
  /** Stable Diffusion style: `width` and `height`. */
  | 'dimensions'
  /** Nothing: the model follows its input image (most inpainting and image-to-image models). */
  | 'none';

export interface ReplicateModelRef {
  /** 'owner/name', optionally with ':version'. */
  model: string;
  /** Runs this exact version through POST /predictions instead of the model's latest. */
  version?: string;
  sizeInput?: ReplicateSizeInput;
  /** Whether the model has a `negative_prompt` input (FLUX has none). */
  negativePrompt?: boolean;
}

export interface ReplicateBackendOptions {
  apiToken: string;
  baseUrl?: string;
  model?: string;
  version?: string;
  /** Defaults to 'aspect_ratio' for FLUX models and 'dimensions' for the rest. */
  sizeInput?: ReplicateSizeInput;
  negativePrompt?: boolean;
  pollMs?: number;
  /** Whole-operation deadline, polling included; TIMEOUT (and a cancelled prediction) when it passes. */
  timeoutMs?: number;
  name?: string;
  /** Sends `Prefer: wait=N` so fast models answer in the create call and polling is skipped. */
  preferWaitSeconds?: number;
  /** A model taking `image` + `mask` (white = repaint), e.g. 'black-forest-labs/flux-fill-pro'; no inpainting without one. */
  inpaintModel?: string | ReplicateModelRef;
  /** A model taking `image` + `prompt_strength`, e.g. 'black-forest-labs/flux-dev'; no img2img without one. */
  img2imgModel?: string | ReplicateModelRef;
  /** FLUX schnell with go_fast (its default) is not bit-reproducible even with a seed, hence false by default. */
  deterministicSeeds?: boolean;
  /** USD per image; defaults to FLUX schnell's price for it and a conservative guess for other models. */
  costPerImage?: number;
  /** Largest side the model renders natively. */
  maxSize?: number;
  /** Replicate allows 600 prediction creations per minute. */
  rateLimitPerMinute?: number | null;
}

const FLUX_ASPECT_RATIOS = [
  '1:1',
  '16:9',
  '21:9',
  '3:2',
  '2:3',
  '4:5',
  '5:4',
  '3:4',
  '4:3',
  '9:16',
  '9:21',
] as const;

/** The FLUX aspect ratio closest to width:height on a log scale. */
export function nearestFluxAspectRatio(width: number, height: number): (typeof FLUX_ASPECT_RATIOS)[number] {
  const wanted = Math.log(width / height);
  let best: (typeof FLUX_ASPECT_RATIOS)[number] = '1:1';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const ratio of FLUX_ASPECT_RATIOS) {
    const [w, h] = ratio.split(':').map(Number) as [number, number];
    const distance = Math.abs(Math.log(w / h) - wanted);
    if (distance < bestDistance) [best, bestDistance] = [ratio, distance];
  }
  return best;
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'aborted']);
const CANCEL_GRACE_MS = 5000;
/** Consecutive failed polls tolerated before giving up on a prediction that may still finish. */
const POLL_RETRIES = 3;

const predictionSchema = z.object({
  id: z.string(),
  status: z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']),
  model: z.string().nullish(),
  version: z.string().nullish(),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  logs: z.string().nullish(),
  urls: z.object({ get: z.string().optional(), cancel: z.string().optional() }).nullish(),
  metrics: z.object({ predict_time: z.number().optional() }).nullish(),
  created_at: z.string().nullish(),
  started_at: z.string().nullish(),
});
type Prediction = z.infer<typeof predictionSchema>;

const problemBody = z.object({ detail: z.unknown().optional(), title: z.string().optional() });

function dataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

function firstOutputUrl(output: unknown): string | undefined {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return output.find((item): item is string => typeof item === 'string');
  return undefined;
}

function millisBetween(from: string | null | undefined, to: string | null | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export function createReplicateBackend(options: ReplicateBackendOptions): ImageBackend {
  const {
    apiToken,
    baseUrl = 'https://api.replicate.com/v1',
    model = 'black-forest-labs/flux-schnell',
    pollMs = 500,
    timeoutMs,
    name = 'replicate',
    preferWaitSeconds,
  } = options;
  const base = baseUrl.replace(/\/+$/, '');
  const baseOrigin = new URL(base).origin;
  const sizeInputFor = (modelName: string): ReplicateSizeInput =>
    /flux/i.test(modelName) ? 'aspect_ratio' : 'dimensions';
  const main = {
    model,
    version: options.version,
    sizeInput: options.sizeInput ?? sizeInputFor(model),
    negativePrompt: options.negativePrompt ?? false,
  } satisfies ReplicateModelRef;
  const editRef = (ref: string | ReplicateModelRef | undefined): ReplicateModelRef | undefined =>
    typeof ref === 'string' ? { model: ref } : ref;
  const inpaintRef = editRef(options.inpaintModel);
  const img2imgRef = editRef(options.img2imgModel);
  const maxSize = options.maxSize ?? 1440;

  const capabilities: BackendCapabilities = {
    maxWidth: maxSize,
    maxHeight: maxSize,
    sizeMultiple: 1,
    txt2img: true,
    img2img: img2imgRef !== undefined,
    inpainting: inpaintRef !== undefined,
    regionalPrompting: false,
    negativePrompt: main.negativePrompt,
    deterministicSeeds: options.deterministicSeeds ?? false,
    costPerImage: options.costPerImage ?? (model === 'black-forest-labs/flux-schnell' ? 0.003 : 0.02),
    rateLimitPerMinute: options.rateLimitPerMinute === undefined ? 600 : options.rateLimitPerMinute,
  };

  const auth = { Authorization: `Bearer ${apiToken}` };

  async function toError(res: Response): Promise<BackendError> {
    return errorFromResponse(name, res, (body) => {
      const parsed = problemBody.safeParse(body);
      if (!parsed.success) return undefined;
      const { detail, title } = parsed.data;
      if (typeof detail === 'string' && detail.trim()) return detail.trim();
      return detail === undefined ? title : JSON.stringify(detail);
    });
  }

  function parsePrediction(body: unknown): Prediction {
    const parsed = predictionSchema.safeParse(body);
    if (!parsed.success) {
      throw new BackendError('PROTOCOL', name, `unexpected prediction: ${parsed.error.message}`);
    }
    return parsed.data;
  }

  function failureError(prediction: Prediction): BackendError {
    const text =
      typeof prediction.error === 'string' ? prediction.error : JSON.stringify(prediction.error ?? null);
    const details = { providerCode: prediction.status };
    if (/out of memory|OutOfMemoryError/i.test(text) || /CUDA out of memory/i.test(prediction.logs ?? '')) {
      return new BackendError('OUT_OF_MEMORY', name, `prediction ${prediction.id} failed: ${text}`, details);
    }
    if (/nsfw/i.test(text)) {
      return new BackendError(
        'CONTENT_FILTERED',
        name,
        `prediction ${prediction.id} failed: ${text}`,
        details,
      );
    }
    if (prediction.status !== 'failed') {
      return new BackendError(
        'UNAVAILABLE',
        name,
        `prediction ${prediction.id} was ${prediction.status} by Replicate`,
        details,
      );
    }
    // Input mistakes are refused with a 422 at creation; a run that fails later is the provider's trouble.
    return new BackendError('UNAVAILABLE', name, `prediction ${prediction.id} failed: ${text}`, details);
  }

  async function cancel(prediction: Prediction): Promise<void> {
    const url = prediction.urls?.cancel ?? `${base}/predictions/${prediction.id}/cancel`;
    // Our own signal has fired by now; the cancel gets a short one of its own so it cannot hang the caller.
    await fetch(url, { method: 'POST', headers: auth, signal: AbortSignal.timeout(CANCEL_GRACE_MS) }).then(
      (res) => res.body?.cancel(),
      () => undefined,
    );
  }

  async function download(url: string, signal: AbortSignal): Promise<Buffer> {
    // The token only goes to Replicate's own API; delivery URLs are pre-signed and may be anywhere.
    const sameOrigin = url.startsWith('http') && new URL(url).origin === baseOrigin;
    const res = await backendFetch(name, url, { headers: sameOrigin ? auth : {}, signal });
    if (!res.ok) throw await toError(res);
    return Buffer.from(await res.arrayBuffer());
  }

  async function predict(
    ref: ReplicateModelRef,
    params: GenerateParams,
    input: Record<string, unknown>,
    ctx: OperationContext,
  ): Promise<GenerationResult> {
    const started = performance.now();
    const scope = startScope(name, ctx.signal, timeoutMs);
    let fraction = -1;
    let totalSteps = 1;
    const report = (update: ProgressUpdate) => {
      if (update.fraction <= fraction) return;
      fraction = update.fraction;
      ctx.onProgress?.(update);
    };
    const reportLogs = (prediction: Prediction) => {
      const bar = parseTqdmProgress(prediction.logs);
      if (!bar) return;
      totalSteps = bar.total;
      report({
        step: bar.step,
        totalSteps: bar.total,
        fraction: bar.step / bar.total,
        message: prediction.status,
      });
    };

    let current: Prediction | undefined;
    try {
      if (ctx.signal.aborted) throw new BackendError('CANCELLED', name, 'cancelled');
      const [modelName, inlineVersion] = ref.model.split(':');
      const version = ref.version ?? inlineVersion;
      const res = await backendFetch(
        name,
        version ? `${base}/predictions` : `${base}/models/${modelName}/predictions`,
        {
          method: 'POST',
          headers: {
            ...auth,
            'Content-Type': 'application/json',
            ...(preferWaitSeconds ? { Prefer: `wait=${preferWaitSeconds}` } : {}),
          },
          body: JSON.stringify(version ? { version, input } : { input }),
          signal: scope.signal,
        },
      );
      if (!res.ok) throw await toError(res);
      current = parsePrediction(await res.json());
      report({ step: 0, totalSteps: 1, fraction: 0, message: current.status });
      reportLogs(current);

      let failedPolls = 0;
      while (!TERMINAL.has(current.status)) {
        await delay(pollMs, undefined, { signal: scope.signal });
        let next: Prediction;
        try {
          const poll = await backendFetch(name, current.urls?.get ?? `${base}/predictions/${current.id}`, {
            headers: auth,
            signal: scope.signal,
          });
          if (!poll.ok) throw await toError(poll);
          next = parsePrediction(await poll.json());
        } catch (error) {
          // A hiccup while polling says nothing about the prediction, which keeps running: ask again.
          const transient = isBackendError(error) && error.retryable && !scope.signal.aborted;
          if (transient && ++failedPolls <= POLL_RETRIES) continue;
          throw error;
        }
        failedPolls = 0;
        current = next;
        reportLogs(current);
      }
      if (current.status !== 'succeeded') throw failureError(current);

      const url = firstOutputUrl(current.output);
      if (!url) {
        throw new BackendError('PROTOCOL', name, `prediction ${current.id} succeeded without an image URL`);
      }
      const image = await resizeRaster(
        await decodeImage(await download(url, scope.signal)),
        params.width,
        params.height,
      );
      const loggedSeed = /Using seed:\s*(\d+)/i.exec(current.logs ?? '')?.[1];
      // Always said, even after a bar at 100%: saving and uploading the image come after the last step.
      ctx.onProgress?.({ step: totalSteps, totalSteps, fraction: 1, message: 'succeeded' });
      const inferenceMs =
        current.metrics?.predict_time === undefined ? undefined : current.metrics.predict_time * 1000;
      const queueMs = millisBetween(current.created_at, current.started_at);
      return {
        image,
        seed: loggedSeed === undefined ? (input.seed as number) : Number(loggedSeed),
        model: current.model ?? modelName!,
        modelVersion: current.version ?? version ?? 'latest',
        timings: {
          totalMs: performance.now() - started,
          ...(queueMs === undefined ? {} : { queueMs }),
          ...(inferenceMs === undefined ? {} : { inferenceMs }),
        },
      };
    } catch (error) {
      const translated = scope.translate(error);
      // Whatever made us stop waiting, a prediction left running would still be billed.
      if (current && !TERMINAL.has(current.status)) await cancel(current);
      throw translated;
    } finally {
      scope.dispose();
    }
  }

  function commonInput(ref: ReplicateModelRef, params: GenerateParams, sizeInput: ReplicateSizeInput) {
    const input: Record<string, unknown> = {
      prompt: params.prompt,
      // Replicate models take non-negative integer seeds; ours may be any number.
      seed: Math.trunc(params.seed) >>> 0,
      num_outputs: 1,
      output_format: 'png',
    };
    if (sizeInput === 'aspect_ratio')
      input.aspect_ratio = nearestFluxAspectRatio(params.width, params.height);
    if (sizeInput === 'dimensions') {
      // SD-family models want multiples of 8; the result is resized to the exact request anyway.
      input.width = Math.max(64, Math.round(params.width / 8) * 8);
      input.height = Math.max(64, Math.round(params.height / 8) * 8);
    }
    if (ref.negativePrompt && params.negativePrompt) input.negative_prompt = params.negativePrompt;
    return input;
  }

  return {
    name,
    capabilities,
    generate(params, ctx) {
      const ref = params.model
        ? { ...main, model: params.model, version: undefined, sizeInput: sizeInputFor(params.model) }
        : main;
      return predict(ref, params, commonInput(ref, params, ref.sizeInput), ctx);
    },
    async img2img(params, ctx) {
      if (!img2imgRef) throw new BackendError('UNSUPPORTED', name, 'no img2imgModel configured');
      const input = commonInput(img2imgRef, params, img2imgRef.sizeInput ?? 'none');
      input.image = dataUri(await encodePng(params.init));
      // Replicate's convention matches ours: 1 discards the init image entirely.
      input.prompt_strength = Math.min(1, Math.max(0, params.strength));
      return predict(img2imgRef, params, input, ctx);
    },
    async inpaint(params, ctx) {
      if (!inpaintRef) throw new BackendError('UNSUPPORTED', name, 'no inpaintModel configured');
      const input = commonInput(inpaintRef, params, inpaintRef.sizeInput ?? 'none');
      input.image = dataUri(await encodePng(params.init));
      input.mask = dataUri(await encodeMaskPng(params.mask));
      return predict(inpaintRef, params, input, ctx);
    },
  };
}
