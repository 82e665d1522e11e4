import {
  type CallOutcome,
  createAutomatic1111Backend,
  createComfyUiBackend,
  createOpenAiBackend,
  createReplicateBackend,
  createStabilityBackend,
  createTfjsModelBackend,
  DEFAULT_RESILIENCE,
  PerformanceTracker,
  ResilientBackend,
} from '@pakati/backends';
import type { BackendsConfig } from '@pakati/backends/config';
import {
  type BackendStatus,
  createPatchMatchBackend,
  createProceduralBackend,
  type ImageBackend,
} from '@pakati/core';

export type BackendFactory = (config: BackendsConfig) => ImageBackend;

/** How each enabled name becomes a backend; HTTP adapters read their settings from the validated config. */
export const BACKEND_FACTORIES: Partial<Record<string, BackendFactory>> = {
  procedural: () => createProceduralBackend(),
  patchmatch: () => createPatchMatchBackend(),
  automatic1111: ({ env }) =>
    createAutomatic1111Backend({
      baseUrl: env.PAKATI_A1111_URL!,
      ...(env.PAKATI_A1111_USERNAME
        ? { username: env.PAKATI_A1111_USERNAME, password: env.PAKATI_A1111_PASSWORD ?? '' }
        : {}),
    }),
  comfyui: ({ env }) =>
    createComfyUiBackend({ baseUrl: env.PAKATI_COMFYUI_URL!, regional: env.PAKATI_COMFYUI_REGIONAL }),
  openai: ({ env }) =>
    createOpenAiBackend({
      apiKey: env.PAKATI_OPENAI_API_KEY!,
      ...(env.PAKATI_OPENAI_BASE_URL ? { baseUrl: env.PAKATI_OPENAI_BASE_URL } : {}),
      ...(env.PAKATI_OPENAI_MODEL ? { model: env.PAKATI_OPENAI_MODEL } : {}),
    }),
  stability: ({ env }) =>
    createStabilityBackend({
      apiKey: env.PAKATI_STABILITY_API_KEY!,
      ...(env.PAKATI_STABILITY_BASE_URL ? { baseUrl: env.PAKATI_STABILITY_BASE_URL } : {}),
      ...(env.PAKATI_STABILITY_MODEL ? { model: env.PAKATI_STABILITY_MODEL } : {}),
    }),
  replicate: ({ env }) =>
    createReplicateBackend({
      apiToken: env.PAKATI_REPLICATE_API_TOKEN!,
      ...(env.PAKATI_REPLICATE_BASE_URL ? { baseUrl: env.PAKATI_REPLICATE_BASE_URL } : {}),
      ...(env.PAKATI_REPLICATE_MODEL ? { model: env.PAKATI_REPLICATE_MODEL } : {}),
    }),
  'tfjs-model': ({ env }) => createTfjsModelBackend({ modelDir: env.PAKATI_TFJS_MODEL_DIR! }),
};

/** The worker's enabled backends, each wrapped in its resilience policies, with their live status. */
export class BackendRegistry {
  private readonly backends = new Map<string, ResilientBackend>();
  readonly tracker = new PerformanceTracker();
  private readonly callListeners = new Set<(outcome: CallOutcome) => void>();

  constructor(config: BackendsConfig, factories = BACKEND_FACTORIES, extra: ImageBackend[] = []) {
    const resilience = { ...DEFAULT_RESILIENCE, ...config.resilience };
    const inners = [
      ...config.enabled.flatMap((name) => {
        const factory = factories[name];
        return factory ? [factory(config)] : [];
      }),
      ...extra,
    ];
    for (const inner of inners) {
      // Some servers run one job at a time (A1111); their own hint caps the concurrency limit.
      const hint = (inner as { concurrency?: number }).concurrency;
      const options = {
        ...resilience,
        concurrency: Math.min(resilience.concurrency, hint ?? Number.POSITIVE_INFINITY),
      };
      const onOutcome = (o: CallOutcome) => {
        this.tracker.record(o);
        for (const listener of this.callListeners) listener(o);
      };
      this.backends.set(inner.name, new ResilientBackend(inner, options, onOutcome));
    }
  }

  /** Hears the outcome of every backend call (metrics); returns how to stop. */
  onCall(listener: (outcome: CallOutcome) => void): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  get(name: string): ResilientBackend {
    const backend = this.backends.get(name);
    if (!backend) throw new Error(`backend ${name} is not enabled on this worker`);
    return backend;
  }

  statuses(): BackendStatus[] {
    return [...this.backends.values()].map((b) => ({
      name: b.name,
      capabilities: b.capabilities,
      circuit: b.circuitState,
      rateHeadroom: b.rateHeadroom(),
      performance: this.tracker.performance(b.name),
    }));
  }
}
