import { withFailover } from '@pakati/backends';
import { type BackendsConfig, loadBackendsConfig } from '@pakati/backends/config';
import { BackendError, createProceduralBackend, type ImageBackend } from '@pakati/core';
import { describe, expect, it } from 'vitest';
import { BackendRegistry } from '../src/backend-registry.ts';
import { isWorkerOutOfMemory, watchForOutOfMemory } from '../src/out-of-memory.ts';

describe('what counts as this worker running out of memory', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

  it.each([
    [
      'a local GPU backend out of memory',
      new BackendError('OUT_OF_MEMORY', 'tfjs-model', 'inference failed'),
    ],
    ['a local CPU backend out of memory', new BackendError('OUT_OF_MEMORY', 'procedural', 'no memory')],
    [
      'a raw allocation failure a local backend threw, as the resilience layer passes it on',
      new BackendError('UNAVAILABLE', 'patchmatch', 'Array buffer allocation failed'),
    ],
    ['V8 failing to allocate a buffer', new RangeError('Array buffer allocation failed')],
    ["Node's allocation failure", withCode('Failed to allocate memory', 'ERR_MEMORY_ALLOCATION_FAILED')],
    [
      'TensorFlow out of GPU memory',
      new Error(
        'OOM when allocating tensor with shape[1,512,512,64] and type float on /job:localhost/device:GPU:0',
      ),
    ],
    ['the tfjs wasm heap unable to grow', new Error('Aborted(OOM). Build with -sASSERTIONS for more info.')],
    [
      'an allocation failure wrapped by the caller',
      new Error('upscale failed', { cause: new RangeError('Array buffer allocation failed') }),
    ],
  ])('yes: %s', (_, error) => {
    expect(isWorkerOutOfMemory(error)).toBe(true);
  });

  it.each([
    [
      'a remote server out of GPU memory',
      new BackendError('OUT_OF_MEMORY', 'automatic1111', 'CUDA out of memory'),
    ],
    [
      'a backend built in code under an unknown name',
      new BackendError('OUT_OF_MEMORY', 'a-dying', 'CUDA out of memory'),
    ],
    [
      "failover's summary, where only an earlier, remote backend ran out of memory",
      new BackendError(
        'UNAVAILABLE',
        'procedural',
        'every capable backend failed: automatic1111: CUDA out of memory | procedural: down',
      ),
    ],
    ['a local backend failing for another reason', new BackendError('UNAVAILABLE', 'procedural', 'boom')],
    ['an ordinary error', new Error('region 7 is not part of run 3')],
    ['a RangeError that is a bug, not memory', new RangeError('Invalid typed array length: -4')],
    ['not an error at all', 'Array buffer allocation failed'],
  ])('no: %s', (_, error) => {
    expect(isWorkerOutOfMemory(error)).toBe(false);
  });
});

describe('watching backend calls for out-of-memory', () => {
  const config: BackendsConfig = {
    ...loadBackendsConfig({ PAKATI_BACKENDS: 'procedural' }),
    enabled: [],
    // One attempt per call: what the call threw is what the watcher sees.
    resilience: {
      timeoutMs: 10_000,
      maxAttempts: 1,
      concurrency: 4,
      breakerThreshold: 5,
      halfOpenAfterMs: 30_000,
    },
  };
  const failing = (name: string, error: unknown): ImageBackend => {
    const inner = createProceduralBackend();
    return {
      name,
      capabilities: inner.capabilities,
      generate: async () => {
        throw error;
      },
      img2img: (p, c) => inner.img2img(p, c),
      inpaint: (p, c) => inner.inpaint(p, c),
    };
  };
  const request = { prompt: 'sea', width: 32, height: 32, seed: 1 };
  const ctx = () => ({ signal: new AbortController().signal });

  it('reports a local out-of-memory once and stops failover from going on to the next backend', async () => {
    const registry = new BackendRegistry(config, {}, [
      failing('procedural', new RangeError('Array buffer allocation failed')),
      createProceduralBackend({ name: 'spare' }),
    ]);
    const seen: unknown[] = [];
    const view = watchForOutOfMemory(registry, (error) => seen.push(error));
    const tried: string[] = [];
    const outcome = withFailover(['procedural', 'spare'], (name) => {
      tried.push(name);
      return view.get(name).generate(request, ctx());
    });
    await expect(outcome).rejects.toMatchObject({ kind: 'CANCELLED', backend: 'procedural' });
    expect(tried).toEqual(['procedural']);
    expect(seen).toHaveLength(1);
    expect(isWorkerOutOfMemory(seen[0])).toBe(true);
    // The view is the registry for everything else.
    expect(view.statuses().map((s) => s.name)).toEqual(['procedural', 'spare']);
    expect(view.get('spare').capabilities).toEqual(registry.get('spare').capabilities);
  });

  it('leaves a remote out-of-memory to failover, and a working backend alone', async () => {
    const registry = new BackendRegistry(config, {}, [
      failing('automatic1111', new BackendError('OUT_OF_MEMORY', 'automatic1111', 'CUDA out of memory')),
      createProceduralBackend(),
    ]);
    const seen: unknown[] = [];
    const view = watchForOutOfMemory(registry, (error) => seen.push(error));
    const { backend, failures } = await withFailover(['automatic1111', 'procedural'], (name) =>
      view.get(name).generate(request, ctx()),
    );
    expect(backend).toBe('procedural');
    expect(failures.map((f) => f.error.kind)).toEqual(['OUT_OF_MEMORY']);
    expect(seen).toEqual([]);
  });
});
