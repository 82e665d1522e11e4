import {
  type BackendCapabilities,
  BackendError,
  type GenerateParams,
  type GenerationResult,
  type ImageBackend,
  type OperationContext,
} from '@pakati/core';
import { z } from 'zod';
import { backendFetch, errorFromResponse } from '../http-errors.ts';
import { decodeImage, encodeMaskPng, encodePng, resizeRaster } from '../image-codec.ts';
import { startScope } from '../operation-scope.ts';

/** 'core', 'ultra', 'sd3' (the endpoint's default model) or an SD3 model id such as 'sd3.5-large'. */
export type StabilityModel = 'core' | 'ultra' | 'sd3' | (string & {});

export interface StabilityBackendOptions {
  apiKey: string;
  baseUrl?: string;
  model?: StabilityModel;
  /** Whole-operation deadline; TIMEOUT when it passes. */
  timeoutMs?: number;
  name?: string;
  /** USD per image; defaults to the credit price of the configured service at $0.01 a credit. */
  costPerImage?: number;
  /** Stability allows 150 requests per 10 seconds per key. */
  rateLimitPerMinute?: number | null;
}

export const STABILITY_ASPECT_RATIOS = [
  '16:9',
  '1:1',
  '21:9',
  '2:3',
  '3:2',
  '4:5',
  '5:4',
  '9:16',
  '9:21',
] as const;
export type StabilityAspectRatio = (typeof STABILITY_ASPECT_RATIOS)[number];

/** The aspect ratio Stability offers that is closest to width:height, compared on a log scale so 2:1 and 1:2 are equally far from 1:1. */
export function nearestAspectRatio(width: number, height: number): StabilityAspectRatio {
  const wanted = Math.log(width / height);
  let best: StabilityAspectRatio = '1:1';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const ratio of STABILITY_ASPECT_RATIOS) {
    const [w, h] = ratio.split(':').map(Number) as [number, number];
    const distance = Math.abs(Math.log(w / h) - wanted);
    if (distance < bestDistance) [best, bestDistance] = [ratio, distance];
  }
  return best;
}

/** Stability takes seeds in [0, 4294967294], and 0 asks it to choose one. */
export function toStabilitySeed(seed: number): number {
  return (Math.trunc(seed) >>> 0) % 4_294_967_295;
}

interface Route {
  path: 'core' | 'ultra' | 'sd3';
  /** The `model` form field; absent when the endpoint's default is wanted. */
  sd3Model?: string;
}

function routeFor(model: StabilityModel): Route {
  if (model === 'core' || model === 'ultra') return { path: model as 'core' | 'ultra' };
  if (model === 'sd3') return { path: 'sd3' };
  return { path: 'sd3', sd3Model: model };
}

const CREDIT_PRICE: Record<Route['path'], number> = { core: 0.03, ultra: 0.08, sd3: 0.065 };

const errorBody = z.union([
  z.object({ name: z.string().optional(), errors: z.array(z.string()).min(1) }),
  z.object({ name: z.string().optional(), message: z.string() }),
]);

const jsonImage = z.object({
  image: z.string(),
  seed: z.number().optional(),
  finish_reason: z.string().optional(),
});

function pngBlob(bytes: Buffer): Blob {
  return new Blob([new Uint8Array(bytes)], { type: 'image/png' });
}

export function createStabilityBackend(options: StabilityBackendOptions): ImageBackend {
  const {
    apiKey,
    baseUrl = 'https://api.stability.ai',
    model: defaultModel = 'core',
    timeoutMs,
    name = 'stability',
  } = options;
  const base = baseUrl.replace(/\/+$/, '');

  const capabilities: BackendCapabilities = {
    // Stability renders about a megapixel and a half whatever the ratio; larger sizes are upscaled by us.
    maxWidth: 1536,
    maxHeight: 1536,
    sizeMultiple: 1,
    txt2img: true,
    img2img: true,
    inpainting: true,
    regionalPrompting: false,
    negativePrompt: true,
    deterministicSeeds: true,
    costPerImage: options.costPerImage ?? CREDIT_PRICE[routeFor(defaultModel).path],
    rateLimitPerMinute: options.rateLimitPerMinute === undefined ? 900 : options.rateLimitPerMinute,
  };

  async function toError(res: Response): Promise<BackendError> {
    let providerCode: string | undefined;
    const error = await errorFromResponse(name, res, (body) => {
      const parsed = errorBody.safeParse(body);
      if (!parsed.success) return undefined;
      providerCode = parsed.data.name;
      return 'errors' in parsed.data ? parsed.data.errors.join('; ') : parsed.data.message;
    });
    // Stability answers 403 only for its content moderation; a bad key is a 401.
    const moderated =
      res.status === 403 &&
      (providerCode === 'content_moderation' || /moderation|flagged/i.test(error.message));
    return new BackendError(
      moderated ? 'CONTENT_FILTERED' : error.kind,
      name,
      error.message.slice(name.length + 2),
      { ...error.details, ...(providerCode ? { providerCode } : {}) },
    );
  }

  function baseFields(params: GenerateParams): FormData {
    const form = new FormData();
    form.append('prompt', params.prompt);
    if (params.negativePrompt) form.append('negative_prompt', params.negativePrompt);
    form.append('seed', String(toStabilitySeed(params.seed)));
    form.append('output_format', 'png');
    return form;
  }

  async function run(
    path: string,
    params: GenerateParams,
    model: string,
    ctx: OperationContext,
    buildForm: () => Promise<FormData>,
  ): Promise<GenerationResult> {
    const started = performance.now();
    const scope = startScope(name, ctx.signal, timeoutMs);
    try {
      if (ctx.signal.aborted) throw new BackendError('CANCELLED', name, 'cancelled');
      const body = await buildForm();
      // The v2beta endpoints answer once, with the finished image: start and end are the only real progress.
      ctx.onProgress?.({ step: 0, totalSteps: 1, fraction: 0, message: 'submitted' });
      const res = await backendFetch(name, `${base}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKey}`, Accept: 'image/*' },
        body,
        signal: scope.signal,
      });
      if (!res.ok) throw await toError(res);

      let bytes: Buffer;
      let seedHeader = res.headers.get('seed');
      let finishReason = res.headers.get('finish-reason');
      if ((res.headers.get('content-type') ?? '').includes('application/json')) {
        // Only when a proxy drops our Accept header; same content, base64 in a JSON body.
        const parsed = jsonImage.safeParse(await res.json());
        if (!parsed.success) {
          throw new BackendError('PROTOCOL', name, `unexpected answer: ${parsed.error.message}`);
        }
        bytes = Buffer.from(parsed.data.image, 'base64');
        seedHeader ??= parsed.data.seed === undefined ? null : String(parsed.data.seed);
        finishReason ??= parsed.data.finish_reason ?? null;
      } else {
        bytes = Buffer.from(await res.arrayBuffer());
      }
      if (finishReason === 'CONTENT_FILTERED') {
        // The image is blurred rather than refused; passing it on would hide the refusal.
        throw new BackendError('CONTENT_FILTERED', name, 'the output was blurred by content filtering', {
          status: res.status,
          providerCode: finishReason,
        });
      }
      if (finishReason && finishReason !== 'SUCCESS') {
        throw new BackendError('PROTOCOL', name, `unexpected finish-reason ${finishReason}`, {
          providerCode: finishReason,
        });
      }
      const image = await resizeRaster(await decodeImage(bytes), params.width, params.height);
      const seed =
        seedHeader !== null && seedHeader !== '' ? Number(seedHeader) : toStabilitySeed(params.seed);
      ctx.onProgress?.({ step: 1, totalSteps: 1, fraction: 1, message: 'done' });
      return {
        image,
        seed: Number.isFinite(seed) ? seed : toStabilitySeed(params.seed),
        model,
        // Stability names no snapshot in its answers; the service or model id is the finest version we get.
        modelVersion: model,
        timings: { totalMs: performance.now() - started },
      };
    } catch (error) {
      throw scope.translate(error);
    } finally {
      scope.dispose();
    }
  }

  return {
    name,
    capabilities,
    generate(params, ctx) {
      const model = params.model ?? defaultModel;
      const route = routeFor(model);
      return run(`/v2beta/stable-image/generate/${route.path}`, params, model, ctx, async () => {
        const form = baseFields(params);
        form.append('aspect_ratio', nearestAspectRatio(params.width, params.height));
        if (route.path === 'sd3') {
          if (route.sd3Model) form.append('model', route.sd3Model);
          form.append('mode', 'text-to-image');
        }
        return form;
      });
    },
    img2img(params, ctx) {
      // Only the SD3 endpoint takes an init image with a strength; core has no image-to-image mode.
      const requested = params.model ?? defaultModel;
      const route = routeFor(requested);
      const model = route.path === 'sd3' ? requested : 'sd3';
      return run('/v2beta/stable-image/generate/sd3', params, model, ctx, async () => {
        const form = baseFields(params);
        if (route.sd3Model) form.append('model', route.sd3Model);
        form.append('mode', 'image-to-image');
        form.append('image', pngBlob(await encodePng(params.init)), 'image.png');
        // Same convention as ours: 0 returns the init image, 1 ignores it.
        form.append('strength', String(Math.min(1, Math.max(0, params.strength))));
        return form;
      });
    },
    inpaint(params, ctx) {
      return run('/v2beta/stable-image/edit/inpaint', params, 'inpaint', ctx, async () => {
        const form = baseFields(params);
        form.append('image', pngBlob(await encodePng(params.init)), 'image.png');
        // White repaints, black keeps, greys blend: our mask's convention as is.
        form.append('mask', pngBlob(await encodeMaskPng(params.mask)), 'mask.png');
        return form;
      });
    },
  };
}
