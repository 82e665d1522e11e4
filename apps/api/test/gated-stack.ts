import { BACKEND_FACTORIES, BackendRegistry } from '@pakati/worker';
import { startStack } from './harness.ts';

type ImageBackend = ReturnType<NonNullable<(typeof BACKEND_FACTORIES)[string]>>;

/**
 * The API with an in-process worker whose only generator is the procedural backend behind a gate: while
 * the gate is held a run stays RUNNING, so a test can act in the middle of it.
 */
export async function startGatedStack() {
  let held: { promise: Promise<void>; release: () => void } | null = null;
  const stack = await startStack({
    // patchmatch only fills holes: the gated backend is the one generator.
    env: { PAKATI_BACKENDS: 'patchmatch' },
    backends: (config) => {
      const base = BACKEND_FACTORIES.procedural!(config.backends);
      const gated: ImageBackend = {
        ...base,
        name: 'gated',
        async generate(params, ctx) {
          await held?.promise;
          return base.generate(params, ctx);
        },
      };
      return new BackendRegistry(config.backends, BACKEND_FACTORIES, [gated]);
    },
  });
  return {
    stack,
    url: `${stack.api.url}/graphql`,
    hold() {
      let release = () => {};
      const promise = new Promise<void>((resolve) => {
        release = resolve;
      });
      held = { promise, release };
    },
    release() {
      held?.release();
      held = null;
    },
  };
}
