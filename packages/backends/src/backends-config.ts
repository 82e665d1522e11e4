import { z } from 'zod';

export const BACKEND_NAMES = [
  'procedural',
  'patchmatch',
  'automatic1111',
  'comfyui',
  'openai',
  'stability',
  'replicate',
  'tfjs-model',
] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What each backend cannot work without; a backend missing any of these is simply absent. */
const REQUIRED: Record<BackendName, string[]> = {
  procedural: [],
  patchmatch: [],
  automatic1111: ['PAKATI_A1111_URL'],
  comfyui: ['PAKATI_COMFYUI_URL'],
  openai: ['PAKATI_OPENAI_API_KEY'],
  stability: ['PAKATI_STABILITY_API_KEY'],
  replicate: ['PAKATI_REPLICATE_API_TOKEN'],
  'tfjs-model': ['PAKATI_TFJS_MODEL_DIR'],
};

/**
 * Where a backend computes: `remote` on another server (the HTTP adapters), `cpu` inside the worker process, or
 * `local-gpu` inside the worker process on the worker's own GPU. Steps on a `local-gpu` backend are routed to
 * workers with a GPU, and an out-of-memory error from an in-process backend is the worker's own, not a provider's.
 */
export type BackendDevice = 'local-gpu' | 'remote' | 'cpu';

export const BACKEND_DEVICES: Record<BackendName, BackendDevice> = {
  procedural: 'cpu',
  patchmatch: 'cpu',
  automatic1111: 'remote',
  comfyui: 'remote',
  openai: 'remote',
  stability: 'remote',
  replicate: 'remote',
  'tfjs-model': 'local-gpu',
};

/** A backend built in code under another name (tests, embedders) is taken to run elsewhere. */
export function backendDevice(name: string): BackendDevice {
  return (BACKEND_DEVICES as Record<string, BackendDevice>)[name] ?? 'remote';
}

const optionalUrl = z.url().optional();
const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z.object({
  PAKATI_BACKENDS: z.string().optional(),
  PAKATI_A1111_URL: optionalUrl,
  PAKATI_A1111_USERNAME: z.string().optional(),
  PAKATI_A1111_PASSWORD: z.string().optional(),
  PAKATI_COMFYUI_URL: optionalUrl,
  /** The ComfyUI server has the nodes for masked conditioning: offer one-pass regional generation on it. */
  PAKATI_COMFYUI_REGIONAL: z.stringbool().default(false),
  PAKATI_OPENAI_API_KEY: z.string().optional(),
  PAKATI_OPENAI_BASE_URL: optionalUrl,
  PAKATI_OPENAI_MODEL: z.string().optional(),
  PAKATI_STABILITY_API_KEY: z.string().optional(),
  PAKATI_STABILITY_BASE_URL: optionalUrl,
  PAKATI_STABILITY_MODEL: z.string().optional(),
  PAKATI_REPLICATE_API_TOKEN: z.string().optional(),
  PAKATI_REPLICATE_BASE_URL: optionalUrl,
  PAKATI_REPLICATE_MODEL: z.string().optional(),
  PAKATI_TFJS_MODEL_DIR: z.string().optional(),
  PAKATI_BACKEND_TIMEOUT_MS: int(120_000),
  PAKATI_BACKEND_MAX_ATTEMPTS: int(3),
  PAKATI_BACKEND_CONCURRENCY: int(4),
  PAKATI_BACKEND_BREAKER_THRESHOLD: int(5),
  PAKATI_BACKEND_HALF_OPEN_MS: int(30_000),
});

export type BackendsEnv = z.infer<typeof schema>;

export interface BackendsConfig {
  enabled: BackendName[];
  env: BackendsEnv;
  resilience: {
    timeoutMs: number;
    maxAttempts: number;
    concurrency: number;
    breakerThreshold: number;
    halfOpenAfterMs: number;
  };
}

/**
 * One validated configuration for every backend. With PAKATI_BACKENDS set, exactly those are enabled and each
 * must be fully configured; without it, the offline ones plus every backend whose settings are present.
 */
export function loadBackendsConfig(env: NodeJS.ProcessEnv = process.env): BackendsConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid backend configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const values = parsed.data;
  const present = (name: BackendName) =>
    REQUIRED[name].every((key) => Boolean(values[key as keyof BackendsEnv]));
  let enabled: BackendName[];
  if (values.PAKATI_BACKENDS) {
    const asked = values.PAKATI_BACKENDS.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = asked.filter((n) => !(BACKEND_NAMES as readonly string[]).includes(n));
    if (unknown.length)
      throw new Error(
        `PAKATI_BACKENDS names unknown backends: ${unknown.join(', ')} (known: ${BACKEND_NAMES.join(', ')})`,
      );
    enabled = asked as BackendName[];
    const incomplete = enabled.filter((n) => !present(n));
    if (incomplete.length) {
      throw new Error(
        `enabled backends lack settings: ${incomplete.map((n) => `${n} needs ${REQUIRED[n].join(', ')}`).join('; ')}`,
      );
    }
  } else {
    enabled = BACKEND_NAMES.filter(present);
  }
  return {
    enabled,
    env: values,
    resilience: {
      timeoutMs: values.PAKATI_BACKEND_TIMEOUT_MS,
      maxAttempts: values.PAKATI_BACKEND_MAX_ATTEMPTS,
      concurrency: values.PAKATI_BACKEND_CONCURRENCY,
      breakerThreshold: values.PAKATI_BACKEND_BREAKER_THRESHOLD,
      halfOpenAfterMs: values.PAKATI_BACKEND_HALF_OPEN_MS,
    },
  };
}
