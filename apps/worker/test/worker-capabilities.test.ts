import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PakatiError } from '@pakati/core';
import { GPU_GENERATION_QUEUE, QUEUE_NAMES } from '@pakati/jobs';
import type { WorkerDevice } from '@pakati/platform';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chooseQueues,
  cpuDevice,
  detectDevice,
  planWorker,
  workerCapabilities,
} from '../src/worker-capabilities.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A PATH whose only nvidia-smi is a script printing `stdout` and exiting with `code`, after checking its args. */
function fakeNvidiaSmi(stdout: string, code = 0): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-nvidia-smi-'));
  dirs.push(dir);
  const script = path.join(dir, 'nvidia-smi');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'case "$*" in',
      `  *--query-gpu=name,memory.total,memory.used*--format=csv,noheader,nounits*) printf '%s' '${stdout}'; exit ${code};;`,
      '  *) echo "unexpected arguments: $*" >&2; exit 2;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return { PATH: `${dir}:/usr/bin:/bin` };
}

const emptyPath = (): NodeJS.ProcessEnv => {
  const dir = mkdtempSync(path.join(tmpdir(), 'no-nvidia-smi-'));
  dirs.push(dir);
  return { PATH: dir };
};

const cpuQueues = QUEUE_NAMES.filter((q) => q !== GPU_GENERATION_QUEUE);
const gpu: WorkerDevice = { kind: 'gpu', name: 'NVIDIA H100', memoryTotalMb: 81559, memoryUsedMb: 0 };

describe('device detection', () => {
  it('reads the first GPU, its memory total and use, from nvidia-smi on PATH', async () => {
    const env = fakeNvidiaSmi('NVIDIA H100 80GB HBM3, 81559, 1234\nNVIDIA H100 80GB HBM3, 81559, 7\n');
    expect(await detectDevice(env)).toEqual({
      kind: 'gpu',
      name: 'NVIDIA H100 80GB HBM3',
      memoryTotalMb: 81559,
      memoryUsedMb: 1234,
    });
  });

  it('keeps a GPU whose memory nvidia-smi cannot read, with the memory unknown', async () => {
    const env = fakeNvidiaSmi('NVIDIA GH200 480GB, [N/A], [N/A]\n');
    expect(await detectDevice(env)).toEqual({
      kind: 'gpu',
      name: 'NVIDIA GH200 480GB',
      memoryTotalMb: null,
      memoryUsedMb: null,
    });
  });

  it('is a CPU worker without nvidia-smi, when nvidia-smi fails, or when it lists no GPU', async () => {
    for (const env of [
      emptyPath(),
      fakeNvidiaSmi('NVIDIA-SMI has failed: no driver', 9),
      fakeNvidiaSmi(''),
    ]) {
      const device = await detectDevice(env);
      expect(device).toEqual(cpuDevice());
      expect(device).toMatchObject({ kind: 'cpu', memoryTotalMb: null, memoryUsedMb: null });
    }
  });
});

describe('capabilities', () => {
  it('gives every worker analysis, orchestration and io, and generation when it hosts a backend', () => {
    expect(workerCapabilities({ device: cpuDevice(), tfjsBackend: 'wasm', backends: [] })).toEqual([
      'analysis',
      'orchestration',
      'io',
    ]);
    expect(
      workerCapabilities({ device: cpuDevice(), tfjsBackend: 'wasm', backends: ['procedural', 'openai'] }),
    ).toEqual(['generation', 'analysis', 'orchestration', 'io']);
  });

  it('takes the GPU lane only with a GPU, native TensorFlow.js and a backend that computes on it', () => {
    const lane = (device: WorkerDevice, tfjsBackend: string | null, backends: string[]) =>
      workerCapabilities({ device, tfjsBackend, backends }).includes('gpu-generation');
    expect(lane(gpu, 'tensorflow', ['procedural', 'tfjs-model'])).toBe(true);
    expect(lane(cpuDevice(), 'tensorflow', ['tfjs-model'])).toBe(false);
    expect(lane(gpu, 'wasm', ['tfjs-model'])).toBe(false);
    expect(lane(gpu, null, ['tfjs-model'])).toBe(false);
    // A GPU box that only drives remote GPUs has nothing to run on its own.
    expect(lane(gpu, 'tensorflow', ['automatic1111', 'comfyui'])).toBe(false);
  });
});

describe('queue selection', () => {
  const cpuOnly = workerCapabilities({ device: cpuDevice(), tfjsBackend: 'wasm', backends: ['tfjs-model'] });
  const gpuWorker = workerCapabilities({ device: gpu, tfjsBackend: 'tensorflow', backends: ['tfjs-model'] });

  it('consumes every queue it can serve, and the GPU lane never on a CPU-only worker', () => {
    expect(chooseQueues(cpuOnly, {})).toEqual({ queues: cpuQueues, refused: [] });
    expect(cpuQueues).toContain('generation');
    expect(chooseQueues(gpuWorker, {}).queues).toEqual([...QUEUE_NAMES]);
  });

  it('narrows to PAKATI_WORKER_QUEUES and PAKATI_WORKER_ROLES, refusing what it cannot serve', () => {
    expect(chooseQueues(gpuWorker, { PAKATI_WORKER_QUEUES: 'generation-gpu' }).queues).toEqual([
      'generation-gpu',
    ]);
    expect(chooseQueues(gpuWorker, { PAKATI_WORKER_ROLES: 'analysis, orchestration' }).queues).toEqual([
      'analysis',
      'refinement',
    ]);
    expect(
      chooseQueues(gpuWorker, {
        PAKATI_WORKER_QUEUES: 'generation,analysis',
        PAKATI_WORKER_ROLES: 'analysis',
      }).queues,
    ).toEqual(['analysis']);
    expect(chooseQueues(cpuOnly, { PAKATI_WORKER_QUEUES: 'generation-gpu,analysis' })).toEqual({
      queues: ['analysis'],
      refused: [{ queue: 'generation-gpu', needs: 'gpu-generation' }],
    });
  });

  it('stops with BAD_USER_INPUT when nothing is left to consume or a name is unknown', () => {
    const code = (env: NodeJS.ProcessEnv) => {
      try {
        chooseQueues(cpuOnly, env);
        return null;
      } catch (error) {
        return (error as PakatiError).code;
      }
    };
    expect(code({ PAKATI_WORKER_QUEUES: 'generation-gpu' })).toBe('BAD_USER_INPUT');
    expect(code({ PAKATI_WORKER_ROLES: 'gpu-generation' })).toBe('BAD_USER_INPUT');
    expect(code({ PAKATI_WORKER_QUEUES: 'generation,render' })).toBe('BAD_USER_INPUT');
    expect(code({ PAKATI_WORKER_ROLES: 'painting' })).toBe('BAD_USER_INPUT');
    expect(code({ PAKATI_WORKER_QUEUES: ' ' })).toBeNull();
  });
});

describe('the worker plan', () => {
  it('on a GPU host without native TensorFlow.js, reports the GPU but stays off the GPU lane', async () => {
    const plan = await planWorker(
      ['procedural', 'tfjs-model'],
      { concurrency: 3, gpuConcurrency: 1 },
      fakeNvidiaSmi('NVIDIA L4, 23034, 100\n'),
    );
    expect(plan.device).toMatchObject({ kind: 'gpu', name: 'NVIDIA L4', memoryTotalMb: 23034 });
    // This repository installs no tfjs-node binding, so TensorFlow.js gets wasm (or cpu) here.
    expect(['wasm', 'cpu']).toContain(plan.tfjsBackend);
    expect(plan.capabilities).not.toContain('gpu-generation');
    expect(plan.queues).toEqual(cpuQueues.map((name) => ({ name, concurrency: 3 })));
  });
});
