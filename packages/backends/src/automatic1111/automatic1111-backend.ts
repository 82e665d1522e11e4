import {
  type BackendCapabilities,
  BackendError,
  DEFAULT_GUIDANCE,
  DEFAULT_STEPS,
  type GenerateParams,
  type GenerationResult,
  type ImageBackend,
  type Img2ImgParams,
  type InpaintParams,
  type OperationContext,
  type ProgressUpdate,
} from '@pakati/core';
import { z } from 'zod';
import { backendFetch, errorFromResponse } from '../http-errors.ts';
import { decodeImage, encodeMaskPng, encodePng, resizeRaster } from '../image-codec.ts';
import { checkRequestSize, LATENT_MULTIPLE } from '../request-size.ts';

export interface Automatic1111Options {
  /** Where the WebUI listens, started with `--api` (e.g. http://127.0.0.1:7860). */
  baseUrl: string;
  /** Credentials of `--api-auth user:password`, sent as HTTP Basic. */
  username?: string;
  password?: string;
  /** Checkpoint title for `override_settings.sd_model_checkpoint`; the server's loaded one when absent. */
  model?: string;
  /** Sampler name (e.g. 'DPM++ 2M'); the server's default when absent. */
  sampler?: string;
  timeoutMs?: number;
  progressPollMs?: number;
  maxWidth?: number;
  maxHeight?: number;
  /** Denoising strength for inpainting with `inpainting_fill = original`; A1111's own default is 0.75. */
  inpaintStrength?: number;
  maskBlur?: number;
  name?: string;
}

export interface Automatic1111Backend extends ImageBackend {
  /**
   * How many operations the caller may run at once against this server. A1111 runs one job at a time and
   * `/sdapi/v1/interrupt` stops whatever job is current, so cancellation only hits exactly our job when we
   * never have two in flight on the same server.
   */
  readonly concurrency: 1;
}

// Interrupting is best effort after our fetch is already aborted; never let it hold up the caller long.
const INTERRUPT_TIMEOUT_MS = 3_000;

const generationResponse = z.object({
  images: z.array(z.string()).nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  info: z.string().nullish(),
});

const generationInfo = z
  .object({
    seed: z.number().optional(),
    all_seeds: z.array(z.number()).optional(),
    sd_model_name: z.string().nullish(),
    sd_model_hash: z.string().nullish(),
  })
  .loose();

const progressResponse = z.object({
  progress: z.number(),
  eta_relative: z.number().nullish(),
  state: z
    .object({
      job_count: z.number().nullish(),
      sampling_step: z.number().nullish(),
      sampling_steps: z.number().nullish(),
    })
    .loose()
    .nullish(),
  current_image: z.string().nullish(),
});

/** A1111 error bodies are `{error, detail, body, errors}` (modules/api/api.py handle_exception). */
function a1111Message(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const parts = [b.error, b.detail, b.errors]
    .map((part) => (typeof part === 'string' ? part : part == null ? '' : JSON.stringify(part)))
    .filter((part) => part.length > 0);
  return parts.length ? [...new Set(parts)].join(': ') : undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function createAutomatic1111Backend(options: Automatic1111Options): Automatic1111Backend {
  const name = options.name ?? 'automatic1111';
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const pollMs = options.progressPollMs ?? 500;
  const capabilities: BackendCapabilities = {
    maxWidth: options.maxWidth ?? 2048,
    maxHeight: options.maxHeight ?? 2048,
    sizeMultiple: LATENT_MULTIPLE,
    txt2img: true,
    img2img: true,
    inpainting: true,
    regionalPrompting: false,
    negativePrompt: true,
    deterministicSeeds: true,
    costPerImage: 0,
    rateLimitPerMinute: null,
  };
  const authHeaders: Record<string, string> =
    options.username !== undefined
      ? {
          authorization: `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`,
        }
      : {};

  const checkSize = (params: GenerateParams) => checkRequestSize(name, params, capabilities);

  function commonBody(params: GenerateParams, size: { width: number; height: number }) {
    const model = params.model ?? options.model;
    return {
      prompt: params.prompt,
      negative_prompt: params.negativePrompt ?? '',
      seed: params.seed,
      steps: params.steps ?? DEFAULT_STEPS,
      cfg_scale: params.guidance ?? DEFAULT_GUIDANCE,
      width: size.width,
      height: size.height,
      batch_size: 1,
      n_iter: 1,
      ...(options.sampler ? { sampler_name: options.sampler } : {}),
      override_settings: model ? { sd_model_checkpoint: model } : {},
      send_images: true,
      save_images: false,
    };
  }

  async function interrupt(): Promise<void> {
    try {
      const res = await fetch(`${baseUrl}/sdapi/v1/interrupt`, {
        method: 'POST',
        headers: authHeaders,
        signal: AbortSignal.timeout(INTERRUPT_TIMEOUT_MS),
      });
      await res.body?.cancel();
    } catch {
      // The server may be gone; the caller's cancellation stands either way.
    }
  }

  /**
   * Polls /sdapi/v1/progress while the generation request runs. The endpoint reports the server's current job,
   * which is ours because the backend runs at concurrency 1.
   */
  function pollProgress(ctx: OperationContext, steps: number) {
    const stop = new AbortController();
    let lastFraction = 0;
    let lastStep = -1;
    const emit = (update: ProgressUpdate) => {
      if (stop.signal.aborted || !ctx.onProgress) return;
      lastFraction = update.fraction;
      lastStep = update.step;
      try {
        ctx.onProgress(update);
      } catch {
        // A faulty listener must not fail the generation.
      }
    };
    const loop = (async () => {
      if (!ctx.onProgress) return;
      while (!stop.signal.aborted) {
        await sleep(pollMs, stop.signal);
        if (stop.signal.aborted) break;
        try {
          const res = await fetch(`${baseUrl}/sdapi/v1/progress?skip_current_image=false`, {
            headers: authHeaders,
            signal: stop.signal,
          });
          if (!res.ok) {
            await res.body?.cancel();
            continue;
          }
          const parsed = progressResponse.safeParse(await res.json());
          if (!parsed.success) continue;
          const { progress, eta_relative, state, current_image } = parsed.data;
          // job_count 0 means the server is idle or has not picked our job up yet: nothing real to report.
          if (!state?.job_count && progress <= 0) continue;
          const fraction = Math.max(lastFraction, Math.min(1, progress));
          const step = state?.sampling_step ?? 0;
          const preview = current_image
            ? await decodeImage(Buffer.from(current_image, 'base64')).catch(() => null)
            : null;
          if (fraction === lastFraction && step === lastStep && !preview) continue;
          emit({
            fraction,
            step,
            totalSteps: state?.sampling_steps || steps,
            preview,
            ...(eta_relative != null ? { message: `eta ${Math.max(0, eta_relative).toFixed(1)}s` } : {}),
          });
        } catch {
          // Progress is advisory; a failed poll is skipped, the generation request decides the outcome.
        }
      }
    })();
    return {
      /** Stops polling; idempotent. A completed job reports its end, which is as real as progress gets. */
      async finish(completed: boolean) {
        if (completed) emit({ fraction: 1, step: steps, totalSteps: steps, message: 'done' });
        stop.abort();
        await loop;
      },
    };
  }

  async function run(
    path: 'txt2img' | 'img2img',
    body: Record<string, unknown>,
    params: GenerateParams,
    requested: { width: number; height: number },
    ctx: OperationContext,
  ): Promise<GenerationResult> {
    const started = performance.now();
    if (ctx.signal.aborted) throw new BackendError('CANCELLED', name, 'cancelled');
    const controller = new AbortController();
    let stopReason: 'cancelled' | 'timeout' | undefined;
    const onAbort = () => {
      stopReason ??= 'cancelled';
      controller.abort();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            stopReason ??= 'timeout';
            controller.abort();
          }, options.timeoutMs)
        : undefined;
    const steps = (body.steps as number | undefined) ?? DEFAULT_STEPS;
    const progress = pollProgress(ctx, steps);
    // True between sending the request and its answer: the window in which A1111 may be running our job.
    let inFlight = true;
    let completed = false;
    try {
      const res = await backendFetch(name, `${baseUrl}/sdapi/v1/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      // The WebUI answers only once the job has ended, so from here there is nothing of ours left to interrupt.
      inFlight = false;
      if (!res.ok) throw await errorFromResponse(name, res, a1111Message);
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new BackendError('PROTOCOL', name, `unreadable ${path} answer: ${text.slice(0, 200)}`);
      }
      const parsed = generationResponse.safeParse(json);
      const encoded = parsed.success ? parsed.data.images?.[0] : undefined;
      if (!parsed.success || !encoded) {
        throw new BackendError('PROTOCOL', name, `${path} answer has no image`);
      }
      const info = parseInfo(parsed.data.info);
      let image = await decodeImage(
        Buffer.from(encoded.replace(/^data:image\/\w+;base64,/, ''), 'base64'),
      ).catch((error: unknown) => {
        throw new BackendError('PROTOCOL', name, `undecodable image: ${(error as Error).message}`);
      });
      if (image.width !== requested.width || image.height !== requested.height) {
        image = await resizeRaster(image, requested.width, requested.height);
      }
      if (stopReason) throw stopError(stopReason);
      completed = true;
      const seed = info?.seed ?? info?.all_seeds?.[0] ?? (parsed.data.parameters?.seed as number | undefined);
      return {
        image,
        seed: typeof seed === 'number' && seed >= 0 ? seed : params.seed,
        model: info?.sd_model_name ?? params.model ?? options.model ?? 'unknown',
        modelVersion: info?.sd_model_hash ?? '',
        timings: { totalMs: Math.round(performance.now() - started) },
      };
    } catch (error) {
      if (stopReason) {
        await progress.finish(false);
        // A1111 keeps sampling after our connection drops; stop it so the next job is not stuck behind ours.
        if (inFlight) await interrupt();
        throw stopError(stopReason);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      await progress.finish(completed);
    }
  }

  function stopError(reason: 'cancelled' | 'timeout'): BackendError {
    return reason === 'timeout'
      ? new BackendError('TIMEOUT', name, `no answer within ${options.timeoutMs} ms`)
      : new BackendError('CANCELLED', name, 'cancelled');
  }

  function parseInfo(info: string | null | undefined): z.infer<typeof generationInfo> | undefined {
    if (!info) return undefined;
    try {
      const parsed = generationInfo.safeParse(JSON.parse(info));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async function initBody(params: Img2ImgParams | InpaintParams) {
    const size = checkSize(params);
    return { size, init: (await encodePng(params.init)).toString('base64') };
  }

  return {
    name,
    capabilities,
    concurrency: 1,

    async generate(params, ctx) {
      const size = checkSize(params);
      return run('txt2img', commonBody(params, size), params, params, ctx);
    },

    async img2img(params, ctx) {
      const { size, init } = await initBody(params);
      const body = {
        ...commonBody(params, size),
        init_images: [init],
        // 0 = "Just resize": the init image is stretched to the (rounded) request size.
        resize_mode: 0,
        denoising_strength: Math.min(1, Math.max(0, params.strength)),
      };
      return run('img2img', body, params, params, ctx);
    },

    async inpaint(params, ctx) {
      if (params.mask.width !== params.init.width || params.mask.height !== params.init.height) {
        throw new BackendError('INVALID_REQUEST', name, 'mask and init image differ in size');
      }
      const { size, init } = await initBody(params);
      const body = {
        ...commonBody(params, size),
        init_images: [init],
        resize_mode: 0,
        denoising_strength: options.inpaintStrength ?? 0.75,
        mask: (await encodeMaskPng(params.mask)).toString('base64'),
        mask_blur: options.maskBlur ?? 4,
        // 1 = "original": the masked area starts from the init image's content.
        inpainting_fill: 1,
        inpaint_full_res: false,
        inpainting_mask_invert: 0,
      };
      return run('img2img', body, params, params, ctx);
    },
  };
}
