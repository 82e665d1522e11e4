import type { ResilientBackend } from '@pakati/backends';
import { backendDevice } from '@pakati/backends/config';
import { BackendError, type GenerationResult, isBackendError } from '@pakati/core';
import type { BackendRegistry } from './backend-registry.ts';

/** EX_TEMPFAIL: the worker ran out of memory and wants its supervisor to start it again. */
export const OUT_OF_MEMORY_EXIT_CODE = 75;

/**
 * What only an allocation inside this process says: V8 and Node failing to allocate a buffer, TensorFlow's
 * ResourceExhaustedError ("OOM when allocating tensor"), the wasm heap unable to grow. A remote server's "CUDA out
 * of memory" is deliberately not here: that is the server's memory, and failover deals with it.
 */
const IN_PROCESS_SIGNS = [
  /Array buffer allocation failed/i,
  /\bOOM when allocating\b/i,
  /ResourceExhausted/i,
  /Cannot enlarge memory/i,
  /Aborted\(OOM\)/i,
];

/**
 * Whether this worker process ran out of memory: an in-process allocation failure (walking `cause`), or a backend
 * that computes inside this process (tfjs-model, procedural, patchmatch) failing with OUT_OF_MEMORY or one of
 * those allocation failures. An out-of-memory from a remote backend is never the worker's own.
 */
export function isWorkerOutOfMemory(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  const signs = IN_PROCESS_SIGNS.some((sign) => sign.test(error.message) || sign.test(error.name));
  if (isBackendError(error)) {
    return backendDevice(error.backend) !== 'remote' && (error.kind === 'OUT_OF_MEMORY' || signs);
  }
  if ((error as { code?: unknown }).code === 'ERR_MEMORY_ALLOCATION_FAILED' || signs) return true;
  return isWorkerOutOfMemory(error.cause, depth + 1);
}

/**
 * The backend registry as one job sees it. A backend call that ran this process out of memory is reported to
 * `onOutOfMemory` and comes back as a cancel: failover would otherwise go on to the next backend inside a process
 * that is out of memory, and the worker would never hear of it. Views are prototype-linked to the registry and
 * its backends, so everything else (statuses, capabilities, circuits) is theirs.
 */
export function watchForOutOfMemory(
  registry: BackendRegistry,
  onOutOfMemory: (error: unknown) => void,
): BackendRegistry {
  const view = Object.create(registry) as BackendRegistry;
  view.get = (name) => {
    const backend = registry.get(name);
    const watch =
      <A extends unknown[]>(call: (...args: A) => Promise<GenerationResult>) =>
      async (...args: A): Promise<GenerationResult> => {
        try {
          return await call.apply(backend, args);
        } catch (error) {
          if (!isWorkerOutOfMemory(error)) throw error;
          onOutOfMemory(error);
          throw new BackendError(
            'CANCELLED',
            name,
            'this worker ran out of memory; the job goes back to the queue',
          );
        }
      };
    const regional = backend.generateRegional;
    return Object.assign(Object.create(backend) as ResilientBackend, {
      generate: watch(backend.generate),
      img2img: watch(backend.img2img),
      inpaint: watch(backend.inpaint),
      ...(regional ? { generateRegional: watch(regional) } : {}),
    });
  };
  return view;
}
