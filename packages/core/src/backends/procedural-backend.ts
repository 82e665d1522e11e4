import { isPakatiError } from '../errors.ts';
import { rectangle } from '../geometry/polygon.ts';
import {
  PROCEDURAL_BACKEND_NAME,
  type ProceduralImage,
  type ProceduralProgress,
  renderProcedural,
} from '../procedural/procedural-renderer.ts';
import { BackendError } from './backend-error.ts';
import type {
  BackendCapabilities,
  GenerateParams,
  GenerationResult,
  ImageBackend,
  Img2ImgParams,
  InpaintParams,
  OperationContext,
} from './image-backend.ts';
import type { RasterImage } from './raster.ts';

export interface ProceduralBackendOptions {
  name?: string;
}

const PROCEDURAL_CAPABILITIES: Readonly<BackendCapabilities> = {
  maxWidth: 4096,
  maxHeight: 4096,
  sizeMultiple: 1,
  txt2img: true,
  img2img: true,
  inpainting: true,
  regionalPrompting: false,
  negativePrompt: true,
  deterministicSeeds: true,
  costPerImage: 0,
  rateLimitPerMinute: null,
};

/** A macrotask turn, so abort events from timers and I/O can fire between the renderer's steps. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The offline procedural renderer as an ImageBackend. generate() paints one full-canvas region for the prompt
 * (the negative prompt strips colours through the palette); img2img and inpaint paint the same pattern at the
 * init image's size and blend it in by `strength` or through `mask`. Not an AI model: it exists so every code
 * path that talks to backends runs without a GPU or network, deterministically.
 */
export function createProceduralBackend(options: ProceduralBackendOptions = {}): ImageBackend {
  const name = options.name ?? PROCEDURAL_BACKEND_NAME;
  const capabilities = { ...PROCEDURAL_CAPABILITIES };

  const fail = (kind: 'INVALID_REQUEST' | 'CANCELLED', message: string): never => {
    throw new BackendError(kind, name, message);
  };

  const checkSize = (width: number, height: number): void => {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      fail('INVALID_REQUEST', `Size must be positive integers, got ${width}×${height}`);
    }
    if (width > capabilities.maxWidth || height > capabilities.maxHeight) {
      fail(
        'INVALID_REQUEST',
        `${width}×${height} exceeds the ${capabilities.maxWidth}×${capabilities.maxHeight} limit`,
      );
    }
  };

  /**
   * Runs the renderer step by step: the signal is checked and the event loop gets a turn between steps, and
   * every step is reported. `extraSteps` reserves room for the caller's own work after rendering, so the
   * fraction only reaches 1 when the whole operation is done.
   */
  async function render(
    params: GenerateParams,
    width: number,
    height: number,
    ctx: OperationContext,
    extraSteps: number,
  ): Promise<{ image: ProceduralImage; renderSteps: number }> {
    if (ctx.signal.aborted) fail('CANCELLED', 'Generation was cancelled');
    const steps = renderProcedural({
      width,
      height,
      seed: params.seed,
      regions: [
        {
          points: rectangle(0, 0, width, height),
          prompt: params.prompt,
          negativePrompt: params.negativePrompt ?? null,
          seed: params.seed,
          zOrder: 0,
          featherPx: 0,
        },
      ],
    });
    let renderSteps = 0;
    for (;;) {
      const result = steps.next();
      if (result.done) return { image: result.value, renderSteps };
      const progress: ProceduralProgress = result.value;
      renderSteps = progress.totalSteps;
      const totalSteps = progress.totalSteps + extraSteps;
      ctx.onProgress?.({
        step: progress.step,
        totalSteps,
        fraction: progress.step / totalSteps,
        message: progress.label,
      });
      await nextTurn();
      if (ctx.signal.aborted) fail('CANCELLED', 'Generation was cancelled');
    }
  }

  const finish = (image: RasterImage, params: GenerateParams, started: number): GenerationResult => {
    const totalMs = performance.now() - started;
    return {
      image,
      seed: params.seed,
      model: 'procedural',
      modelVersion: '1',
      timings: { totalMs, inferenceMs: totalMs },
    };
  };

  /** The blend step after rendering, reported as the operation's last step (fraction 1). */
  const reportBlend = (ctx: OperationContext, renderSteps: number): void => {
    ctx.onProgress?.({ step: renderSteps + 1, totalSteps: renderSteps + 1, fraction: 1, message: 'blend' });
  };

  const checkInit = (init: RasterImage | null | undefined): RasterImage => {
    if (init == null || !ArrayBuffer.isView(init.data) || init.data.length !== init.width * init.height * 4) {
      return fail('INVALID_REQUEST', 'The init image must be RGBA with width × height × 4 bytes');
    }
    checkSize(init.width, init.height);
    return init;
  };

  /** PakatiErrors are input problems (bad seed, bad size): for the resilience layer that is INVALID_REQUEST. */
  async function translated<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isPakatiError(error)) {
        throw new BackendError('INVALID_REQUEST', name, error.message, { providerCode: error.code });
      }
      throw error;
    }
  }

  return {
    name,
    capabilities,

    generate: (params, ctx) =>
      translated(async () => {
        const started = performance.now();
        checkSize(params.width, params.height);
        const { image } = await render(params, params.width, params.height, ctx, 0);
        return finish({ width: image.width, height: image.height, data: image.data }, params, started);
      }),

    img2img: (params: Img2ImgParams, ctx) =>
      translated(async () => {
        const started = performance.now();
        const init = checkInit(params.init);
        const strength = params.strength;
        if (!Number.isFinite(strength) || strength < 0 || strength > 1) {
          fail('INVALID_REQUEST', `strength must be between 0 and 1, got ${strength}`);
        }
        const { image: pattern, renderSteps } = await render(params, init.width, init.height, ctx, 1);
        const data = new Uint8ClampedArray(init.data);
        if (strength > 0) {
          for (let i = 0; i < data.length; i++)
            data[i] = init.data[i]! + (pattern.data[i]! - init.data[i]!) * strength;
        }
        reportBlend(ctx, renderSteps);
        return finish({ width: init.width, height: init.height, data }, params, started);
      }),

    inpaint: (params: InpaintParams, ctx) =>
      translated(async () => {
        const started = performance.now();
        const init = checkInit(params.init);
        const { mask } = params;
        if (
          mask == null ||
          mask.width !== init.width ||
          mask.height !== init.height ||
          mask.data?.length !== init.width * init.height
        ) {
          fail('INVALID_REQUEST', `The mask must be ${init.width}×${init.height}, like the init image`);
        }
        const { image: pattern, renderSteps } = await render(params, init.width, init.height, ctx, 1);
        const data = new Uint8ClampedArray(init.data);
        for (let p = 0; p < mask.data.length; p++) {
          const raw = mask.data[p]!;
          // NaN and values <= 0 keep the init pixel untouched, byte for byte.
          if (!(raw > 0)) continue;
          const m = Math.min(1, raw);
          const i = p * 4;
          for (let c = 0; c < 4; c++)
            data[i + c] = init.data[i + c]! + (pattern.data[i + c]! - init.data[i + c]!) * m;
        }
        reportBlend(ctx, renderSteps);
        return finish({ width: init.width, height: init.height, data }, params, started);
      }),
  };
}
