import { type GenerativeRegion, generateRegion, withFailover } from '@pakati/backends';
import { type RasterImage, selectBackends } from '@pakati/core';
import type { BackendRegistry } from './backend-registry.ts';

/** A generation step as the history (`GenerationStep`) keeps it, minus what the caller knows (run, project, pass). */
export interface GeneratedRegion {
  image: RasterImage;
  history: {
    regionId: string;
    operation: 'generate' | 'inpaint';
    backend: string;
    model: string;
    modelVersion: string;
    seed: number;
    prompt: string;
    negativePrompt: string | null;
    failovers: { backend: string; kind: string; message: string }[];
    durationMs: number;
  };
}

/**
 * Regenerates or inpaints one region of `image` with the best capable backend, failing over down the ranking, and
 * blends the result in through the region's feathered mask by `strength`. Pixels outside the region keep their bytes.
 */
export async function generateRegionWithFailover(options: {
  backends: BackendRegistry;
  image: RasterImage;
  region: GenerativeRegion & { id: string };
  kind: 'regenerate' | 'inpaint';
  strength: number;
  seed: number;
  /** The backend asked for (the region's, the step's or the run's), or null to let the selector choose. */
  backend: string | null;
  reference?: RasterImage | null;
  signal: AbortSignal;
}): Promise<GeneratedRegion> {
  const { backends, image, region, kind } = options;
  const operation = kind === 'regenerate' ? 'generate' : 'inpaint';
  const selection = selectBackends(
    { operation, width: image.width, height: image.height, explicitBackend: options.backend },
    backends.statuses(),
  );
  const began = performance.now();
  const outcome = await withFailover(selection.ranked, async (name) => {
    const done = await generateRegion(backends.get(name), image, region, {
      kind,
      strength: options.strength,
      seed: options.seed,
      reference: options.reference ?? null,
      signal: options.signal,
    });
    return { ...done.result, image: done.image };
  });
  return {
    image: outcome.result.image,
    history: {
      regionId: region.id,
      operation,
      backend: outcome.backend,
      model: outcome.result.model,
      modelVersion: outcome.result.modelVersion,
      seed: outcome.result.seed,
      prompt: region.prompt,
      negativePrompt: region.negativePrompt,
      failovers: outcome.failures.map((f) => ({
        backend: f.backend,
        kind: f.error.kind,
        message: f.error.message,
      })),
      durationMs: Math.round(performance.now() - began),
    },
  };
}
