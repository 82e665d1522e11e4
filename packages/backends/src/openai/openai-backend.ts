import {
  type BackendCapabilities,
  BackendError,
  type BackendErrorKind,
  type GenerateParams,
  type GenerationResult,
  type ImageBackend,
  type Img2ImgParams,
  type InpaintParams,
  type MaskImage,
  type OperationContext,
  type RasterImage,
} from '@pakati/core';
import { z } from 'zod';
import { backendFetch, errorFromResponse } from '../http-errors.ts';
import { decodeImage, encodePng, resizeRaster } from '../image-codec.ts';
import { startScope } from '../operation-scope.ts';
import { encodeOpenAiMaskPng } from './openai-mask.ts';

export interface OpenAiBackendOptions {
  apiKey: string;
  baseUrl?: string;
  /** 'gpt-image-1' (and its gpt-image-* siblings), 'dall-e-3' or 'dall-e-2'. */
  model?: string;
  organization?: string;
  /** Whole-operation deadline; TIMEOUT when it passes. */
  timeoutMs?: number;
  name?: string;
  /** USD per image; defaults to the list price of a standard 1024x1024 image for the model. */
  costPerImage?: number;
  /** Images per minute your account tier allows; null (the default) leaves throttling to the 429s. */
  rateLimitPerMinute?: number | null;
}

/**
 * OpenAI picks its own noise: `seed` is the seed we were asked for, echoed so callers can keep their records
 * uniform, not one the provider honoured (capabilities.deterministicSeeds is false).
 */
export interface OpenAiGenerationResult extends GenerationResult {
  /** The prompt after OpenAI's own rewriting (dall-e-3 does this), when it tells us. */
  revisedPrompt?: string;
}

export interface OpenAiBackend extends ImageBackend {
  generate(params: GenerateParams, ctx: OperationContext): Promise<OpenAiGenerationResult>;
  img2img(params: Img2ImgParams, ctx: OperationContext): Promise<OpenAiGenerationResult>;
  inpaint(params: InpaintParams, ctx: OperationContext): Promise<OpenAiGenerationResult>;
}

type ModelFamily = 'gpt-image' | 'dall-e-3' | 'dall-e-2';

const SIZES: Record<ModelFamily, readonly (readonly [number, number])[]> = {
  'gpt-image': [
    [1024, 1024],
    [1536, 1024],
    [1024, 1536],
  ],
  'dall-e-3': [
    [1024, 1024],
    [1792, 1024],
    [1024, 1792],
  ],
  'dall-e-2': [
    [256, 256],
    [512, 512],
    [1024, 1024],
  ],
};

const LIST_PRICE: Record<ModelFamily, number> = { 'gpt-image': 0.042, 'dall-e-3': 0.04, 'dall-e-2': 0.02 };

function familyOf(model: string): ModelFamily {
  if (model.startsWith('dall-e-2')) return 'dall-e-2';
  if (model.startsWith('dall-e-3')) return 'dall-e-3';
  return 'gpt-image';
}

/**
 * The size string OpenAI accepts that best fits width x height: the closest aspect ratio for the models with
 * landscape and portrait sizes, the smallest square covering the request for dall-e-2 (all squares, priced by
 * size).
 */
export function nearestOpenAiSize(model: string, width: number, height: number): `${number}x${number}` {
  const family = familyOf(model);
  const sizes = SIZES[family];
  let best = sizes[sizes.length - 1]!;
  if (family === 'dall-e-2') {
    best = sizes.find(([w]) => w >= Math.max(width, height)) ?? best;
  } else {
    const wanted = Math.log(width / height);
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const size of sizes) {
      const distance = Math.abs(Math.log(size[0] / size[1]) - wanted);
      if (distance < bestDistance) [best, bestDistance] = [size, distance];
    }
  }
  return `${best[0]}x${best[1]}`;
}

const CONTENT_FILTER_CODES = new Set(['content_policy_violation', 'moderation_blocked']);

const errorBody = z.object({
  error: z.object({
    message: z.string().nullish(),
    type: z.string().nullish(),
    code: z.string().nullish(),
  }),
});

const imagesResponse = z.object({
  data: z
    .array(
      z.object({
        b64_json: z.string().nullish(),
        url: z.string().nullish(),
        revised_prompt: z.string().nullish(),
      }),
    )
    .min(1),
});

const DURATION_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** OpenAI's x-ratelimit-reset-* headers are Go-style durations: '1s', '6m0s', '20ms', '1h2m3.5s'. */
export function parseOpenAiResetDuration(value: string | null): number | undefined {
  if (!value) return undefined;
  let total = 0;
  let consumed = '';
  for (const match of value.trim().matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(match[1]) * DURATION_UNITS[match[2]!]!;
    consumed += match[0];
  }
  return consumed && consumed === value.trim() ? Math.ceil(total) : undefined;
}

function retryAfterFromHeaders(headers: Headers): number | undefined {
  // The SDKs prefer retry-after-ms when OpenAI sends it; it is finer grained than retry-after.
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  return (
    parseOpenAiResetDuration(headers.get('x-ratelimit-reset-requests')) ??
    parseOpenAiResetDuration(headers.get('x-ratelimit-reset-tokens'))
  );
}

function withKind(
  error: BackendError,
  backend: string,
  kind: BackendErrorKind,
  details: BackendError['details'],
): BackendError {
  return new BackendError(kind, backend, error.message.slice(backend.length + 2), details);
}

function pngBlob(bytes: Buffer): Blob {
  return new Blob([new Uint8Array(bytes)], { type: 'image/png' });
}

export function createOpenAiBackend(options: OpenAiBackendOptions): OpenAiBackend {
  const {
    apiKey,
    baseUrl = 'https://api.openai.com/v1',
    model: defaultModel = 'gpt-image-1',
    organization,
    timeoutMs,
    name = 'openai',
  } = options;
  const base = baseUrl.replace(/\/+$/, '');
  const family = familyOf(defaultModel);
  const largest = Math.max(...SIZES[family].flat());

  const capabilities: BackendCapabilities = {
    maxWidth: largest,
    maxHeight: largest,
    // Any size is served by resizing the nearest native one.
    sizeMultiple: 1,
    txt2img: true,
    // Only the GPT image models edit without a mask; dall-e-2 would need the mask in the image's alpha.
    img2img: family === 'gpt-image',
    inpainting: family !== 'dall-e-3',
    regionalPrompting: false,
    negativePrompt: false,
    deterministicSeeds: false,
    costPerImage: options.costPerImage ?? LIST_PRICE[family],
    rateLimitPerMinute: options.rateLimitPerMinute ?? null,
  };

  function headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      Authorization: `Bearer ${apiKey}`,
      ...(organization ? { 'OpenAI-Organization': organization } : {}),
      ...extra,
    };
  }

  async function toError(res: Response): Promise<BackendError> {
    let code: string | undefined;
    const error = await errorFromResponse(name, res, (body) => {
      const parsed = errorBody.safeParse(body);
      if (!parsed.success) return undefined;
      code = parsed.data.error.code ?? undefined;
      return parsed.data.error.message ?? undefined;
    });
    let kind = error.kind;
    if (code && CONTENT_FILTER_CODES.has(code)) kind = 'CONTENT_FILTERED';
    // Out of credit is a 429 too, but waiting will not fix a billing problem.
    else if (code === 'insufficient_quota') kind = 'AUTH';
    const details = {
      ...error.details,
      ...(code ? { providerCode: code } : {}),
      retryAfterMs:
        error.details.retryAfterMs ?? (res.status === 429 ? retryAfterFromHeaders(res.headers) : undefined),
    };
    return withKind(error, name, kind, details);
  }

  async function run(
    params: GenerateParams,
    ctx: OperationContext,
    request: (model: string, size: `${number}x${number}`, signal: AbortSignal) => Promise<Response>,
  ): Promise<OpenAiGenerationResult> {
    const model = params.model ?? defaultModel;
    const size = nearestOpenAiSize(model, params.width, params.height);
    const started = performance.now();
    const scope = startScope(name, ctx.signal, timeoutMs);
    try {
      if (ctx.signal.aborted) throw new BackendError('CANCELLED', name, 'cancelled');
      // OpenAI reports nothing between accepting a request and answering it, so these two are all there is.
      ctx.onProgress?.({ step: 0, totalSteps: 1, fraction: 0, message: 'submitted' });
      const res = await request(model, size, scope.signal);
      if (!res.ok) throw await toError(res);
      const parsed = imagesResponse.safeParse(await res.json());
      if (!parsed.success) {
        throw new BackendError('PROTOCOL', name, `unexpected answer: ${parsed.error.message}`);
      }
      const [first] = parsed.data.data;
      const bytes = await imageBytes(first!, scope.signal);
      const image = await resizeRaster(await decodeImage(bytes), params.width, params.height);
      ctx.onProgress?.({ step: 1, totalSteps: 1, fraction: 1, message: 'done' });
      return {
        image,
        seed: params.seed,
        model,
        // OpenAI does not expose model snapshots for images; the name is all there is to record.
        modelVersion: model,
        timings: { totalMs: performance.now() - started },
        ...(first!.revised_prompt ? { revisedPrompt: first!.revised_prompt } : {}),
      };
    } catch (error) {
      throw scope.translate(error);
    } finally {
      scope.dispose();
    }
  }

  async function imageBytes(item: z.infer<typeof imagesResponse>['data'][number], signal: AbortSignal) {
    if (item.b64_json) return Buffer.from(item.b64_json, 'base64');
    if (!item.url) throw new BackendError('PROTOCOL', name, 'answer holds neither b64_json nor url');
    // Only reached through OpenAI-compatible servers that ignore response_format; the URL is pre-signed.
    const res = await backendFetch(name, item.url, { signal });
    if (!res.ok) throw await errorFromResponse(name, res);
    return Buffer.from(await res.arrayBuffer());
  }

  function edit(
    params: GenerateParams & { init: RasterImage },
    mask: MaskImage | null,
    ctx: OperationContext,
  ): Promise<OpenAiGenerationResult> {
    return run(params, ctx, async (model, size, signal) => {
      const [width, height] = size.split('x').map(Number) as [number, number];
      const form = new FormData();
      form.append(
        'image',
        pngBlob(await encodePng(await resizeRaster(params.init, width, height))),
        'image.png',
      );
      if (mask) form.append('mask', pngBlob(await encodeOpenAiMaskPng(mask, width, height)), 'mask.png');
      form.append('prompt', params.prompt);
      form.append('model', model);
      form.append('size', size);
      form.append('n', '1');
      if (familyOf(model) !== 'gpt-image') form.append('response_format', 'b64_json');
      return backendFetch(name, `${base}/images/edits`, {
        method: 'POST',
        headers: headers(),
        body: form,
        signal,
      });
    });
  }

  return {
    name,
    capabilities,
    generate(params, ctx) {
      return run(params, ctx, (model, size, signal) => {
        const body: Record<string, unknown> = { model, prompt: params.prompt, n: 1, size };
        // GPT image models always answer in base64 and reject the parameter outright.
        if (familyOf(model) !== 'gpt-image') body.response_format = 'b64_json';
        return backendFetch(name, `${base}/images/generations`, {
          method: 'POST',
          headers: headers({ 'Content-Type': 'application/json' }),
          body: JSON.stringify(body),
          signal,
        });
      });
    },
    async img2img(params, ctx) {
      if (familyOf(params.model ?? defaultModel) !== 'gpt-image') {
        throw new BackendError(
          'UNSUPPORTED',
          name,
          `${params.model ?? defaultModel} cannot edit without a mask`,
        );
      }
      // There is no strength parameter: the prompt alone decides how far the edit strays from the init image.
      return edit(params, null, ctx);
    },
    async inpaint(params, ctx) {
      if (familyOf(params.model ?? defaultModel) === 'dall-e-3') {
        throw new BackendError('UNSUPPORTED', name, 'dall-e-3 has no edits endpoint');
      }
      return edit(params, params.mask, ctx);
    },
  };
}
