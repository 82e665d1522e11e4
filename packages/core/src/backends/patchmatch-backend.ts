import { isPakatiError } from '../errors.ts';
import { PATCHMATCH_NAME, patchMatchSteps } from '../patchmatch/patchmatch.ts';
import { BackendError } from './backend-error.ts';
import type {
  BackendCapabilities,
  GenerationResult,
  ImageBackend,
  InpaintParams,
  OperationContext,
} from './image-backend.ts';

export interface PatchMatchBackendOptions {
  name?: string;
}

const PATCHMATCH_CAPABILITIES: Readonly<BackendCapabilities> = {
  maxWidth: 2048,
  maxHeight: 2048,
  sizeMultiple: 1,
  txt2img: false,
  img2img: false,
  inpainting: true,
  regionalPrompting: false,
  negativePrompt: false,
  deterministicSeeds: true,
  costPerImage: 0,
  rateLimitPerMinute: null,
};

/** A macrotask turn, so abort events from timers and I/O can fire between iterations of synchronous work. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Classical content-aware fill as an ImageBackend: no model, no prompt, it copies patches from the rest of the
 * image (or from `params.reference` when given) into the masked area. Inpainting only; the prompt is ignored.
 */
export function createPatchMatchBackend(options: PatchMatchBackendOptions = {}): ImageBackend {
  const name = options.name ?? PATCHMATCH_NAME;
  const capabilities = { ...PATCHMATCH_CAPABILITIES };

  const unsupported = (operation: string): Promise<never> =>
    Promise.reject(
      new BackendError('UNSUPPORTED', name, `${operation} is not supported; PatchMatch can only inpaint`),
    );

  const cancelled = (signal: AbortSignal): void => {
    if (signal.aborted) throw new BackendError('CANCELLED', name, 'Inpainting was cancelled');
  };

  async function inpaint(params: InpaintParams, ctx: OperationContext): Promise<GenerationResult> {
    const started = performance.now();
    cancelled(ctx.signal);
    const { init, mask } = params;
    if (init == null || mask == null) {
      throw new BackendError('INVALID_REQUEST', name, 'Inpainting needs an init image and a mask');
    }
    if (init.width > capabilities.maxWidth || init.height > capabilities.maxHeight) {
      throw new BackendError(
        'INVALID_REQUEST',
        name,
        `${init.width}×${init.height} exceeds the ${capabilities.maxWidth}×${capabilities.maxHeight} limit`,
      );
    }
    try {
      const steps = patchMatchSteps(init, mask, { seed: params.seed, source: params.reference ?? null });
      for (;;) {
        const result = steps.next();
        if (result.done) {
          const totalMs = performance.now() - started;
          return {
            image: result.value,
            seed: params.seed,
            model: 'patchmatch',
            modelVersion: '1',
            timings: { totalMs, inferenceMs: totalMs },
          };
        }
        const { step, totalSteps, fraction, level, levels, iteration } = result.value;
        ctx.onProgress?.({
          step,
          totalSteps,
          fraction,
          message: `level ${levels - level}/${levels}, iteration ${iteration + 1}`,
        });
        await nextTurn();
        cancelled(ctx.signal);
      }
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
    generate: () => unsupported('Text-to-image'),
    img2img: () => unsupported('Image-to-image'),
    inpaint,
  };
}
