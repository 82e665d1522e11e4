import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { loadTfjs } from '@pakati/backends';
import { backendDevice } from '@pakati/backends/config';
import { PakatiError } from '@pakati/core';
import {
  GPU_GENERATION_QUEUE,
  QUEUE_CAPABILITIES,
  QUEUE_NAMES,
  type QueueName,
  WORKER_CAPABILITIES,
  type WorkerCapability,
} from '@pakati/jobs';
import type { WorkerDevice } from '@pakati/platform';

const execFileAsync = promisify(execFile);

const NVIDIA_SMI_ARGS = ['--query-gpu=name,memory.total,memory.used', '--format=csv,noheader,nounits'];

/** One GPU per line: `name, total MiB, used MiB`; a value nvidia-smi cannot read ("[N/A]") becomes null. */
export function parseNvidiaSmi(stdout: string): WorkerDevice[] {
  const megabytes = (value: string | undefined) => {
    const n = Number(value);
    return value !== undefined && value !== '' && Number.isFinite(n) ? n : null;
  };
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const fields = line.split(',').map((f) => f.trim());
      const used = fields.pop();
      const total = fields.pop();
      return {
        kind: 'gpu' as const,
        name: fields.join(', '),
        memoryTotalMb: megabytes(total),
        memoryUsedMb: megabytes(used),
      };
    });
}

/** The GPUs nvidia-smi lists; rejects where there is no nvidia-smi or it cannot reach a driver. */
export async function queryGpus(env: NodeJS.ProcessEnv = process.env): Promise<WorkerDevice[]> {
  // env.PATH decides which nvidia-smi runs, so a test can put a fake one first.
  const { stdout } = await execFileAsync('nvidia-smi', NVIDIA_SMI_ARGS, { env, timeout: 5000 });
  return parseNvidiaSmi(stdout);
}

export function cpuDevice(): WorkerDevice {
  const cores = cpus();
  return {
    kind: 'cpu',
    name: `${cores[0]?.model.trim() || 'CPU'} x ${cores.length}`,
    memoryTotalMb: null,
    memoryUsedMb: null,
  };
}

/** The first GPU nvidia-smi lists (one worker process drives one GPU), else the CPU. */
export async function detectDevice(env: NodeJS.ProcessEnv = process.env): Promise<WorkerDevice> {
  const gpus = await queryGpus(env).catch(() => []);
  return gpus[0] ?? cpuDevice();
}

/** The TensorFlow.js backend this process gets ('tensorflow', 'wasm' or 'cpu'), or null when none loads. */
export function detectTfjsBackend(): Promise<string | null> {
  return loadTfjs('auto').then(
    (runtime) => runtime.backend,
    () => null,
  );
}

export interface WorkerProfile {
  device: WorkerDevice;
  tfjsBackend: string | null;
  /** Names of the generation backends the worker hosts. */
  backends: readonly string[];
}

/**
 * What this worker can do. Every worker analyses (on a GPU or CPU kernel), orchestrates and does IO; it generates
 * when it hosts any generation backend; it takes the GPU lane only when it hosts a backend that computes on a
 * local GPU, has a GPU, and TensorFlow.js reaches it (the native binding: wasm and cpu never use a GPU).
 */
export function workerCapabilities(profile: WorkerProfile): WorkerCapability[] {
  const has = new Set<WorkerCapability>(['analysis', 'orchestration', 'io']);
  if (profile.backends.length > 0) has.add('generation');
  if (
    profile.device.kind === 'gpu' &&
    profile.tfjsBackend === 'tensorflow' &&
    profile.backends.some((name) => backendDevice(name) === 'local-gpu')
  ) {
    has.add('gpu-generation');
  }
  return WORKER_CAPABILITIES.filter((c) => has.has(c));
}

function listed<T extends string>(variable: string, value: string | undefined, allowed: readonly T[]) {
  if (value === undefined || value.trim() === '') return null;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(allowed as readonly string[]).includes(n));
  if (unknown.length) {
    throw new PakatiError(
      'BAD_USER_INPUT',
      `${variable} names ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`,
      { variable, unknown },
    );
  }
  return new Set(names as T[]);
}

export interface QueueChoice {
  queues: QueueName[];
  /** Queues the environment asked for that this worker cannot serve, with why; the host logs them. */
  refused: { queue: QueueName; needs: WorkerCapability }[];
}

/**
 * The queues this worker consumes: those whose capability it has, narrowed by PAKATI_WORKER_QUEUES (queue names)
 * and PAKATI_WORKER_ROLES (capabilities) when set. The environment only narrows: asking a CPU-only worker for the
 * GPU lane is refused, never granted. A worker left with nothing to consume is a configuration error.
 */
export function chooseQueues(
  capabilities: readonly WorkerCapability[],
  env: NodeJS.ProcessEnv = process.env,
): QueueChoice {
  const onlyQueues = listed('PAKATI_WORKER_QUEUES', env.PAKATI_WORKER_QUEUES, QUEUE_NAMES);
  const onlyRoles = listed('PAKATI_WORKER_ROLES', env.PAKATI_WORKER_ROLES, WORKER_CAPABILITIES);
  const wanted = QUEUE_NAMES.filter(
    (q) => (!onlyQueues || onlyQueues.has(q)) && (!onlyRoles || onlyRoles.has(QUEUE_CAPABILITIES[q])),
  );
  const queues = wanted.filter((q) => capabilities.includes(QUEUE_CAPABILITIES[q]));
  const refused = wanted
    .filter((q) => !queues.includes(q) && (onlyQueues?.has(q) || onlyRoles?.has(QUEUE_CAPABILITIES[q])))
    .map((queue) => ({ queue, needs: QUEUE_CAPABILITIES[queue] }));
  if (queues.length === 0) {
    throw new PakatiError(
      'BAD_USER_INPUT',
      `this worker can serve none of the queues it was given (it can: ${capabilities.join(', ')})`,
      { capabilities, refused },
    );
  }
  return { queues, refused };
}

export interface WorkerPlan {
  device: WorkerDevice;
  tfjsBackend: string | null;
  capabilities: WorkerCapability[];
  queues: { name: QueueName; concurrency: number }[];
  refused: QueueChoice['refused'];
}

/** Detects the device and TensorFlow.js backend, then decides the queues and how many jobs each takes at once. */
export async function planWorker(
  backends: readonly string[],
  limits: { concurrency: number; gpuConcurrency: number },
  env: NodeJS.ProcessEnv = process.env,
): Promise<WorkerPlan> {
  const [device, tfjsBackend] = await Promise.all([detectDevice(env), detectTfjsBackend()]);
  const capabilities = workerCapabilities({ device, tfjsBackend, backends });
  const { queues, refused } = chooseQueues(capabilities, env);
  return {
    device,
    tfjsBackend,
    capabilities,
    queues: queues.map((name) => ({
      name,
      concurrency: name === GPU_GENERATION_QUEUE ? limits.gpuConcurrency : limits.concurrency,
    })),
    refused,
  };
}
