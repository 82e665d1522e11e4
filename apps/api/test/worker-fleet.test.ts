import { createProceduralBackend, type ImageBackend } from '@pakati/core';
import { regionJobId } from '@pakati/jobs';
import { collect, wsClient } from '@pakati/testkit';
import { BACKEND_FACTORIES, BackendRegistry, startWorkers } from '@pakati/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  projectWithRegion,
  RUN_EVENTS,
  type RunEventMessage,
  rawId,
  START_RUN,
  type Stack,
  startStack,
} from './harness.ts';
import { exited, processGroup } from './processes.ts';

const WORKERS = /* GraphQL */ `
  {
    workers {
      id host pid state heartbeatMs lastHeartbeatAt
      device { kind name memoryTotalMb memoryUsedMb }
      tfjsBackend analysisKernel analysisKernelReason backends capabilities
      queues { name concurrency }
      jobsInHand jobs { queue name jobId runId startedAt }
    }
  }
`;

interface FleetWorker {
  id: string;
  pid: number;
  state: string;
  device: { kind: string; memoryTotalMb: number | null };
  tfjsBackend: string | null;
  analysisKernel: string;
  backends: string[];
  capabilities: string[];
  queues: { name: string; concurrency: number }[];
  jobsInHand: number;
  jobs: { queue: string; name: string; jobId: string; runId: string | null }[];
}

const processes = processGroup();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    worker: false,
    // tfjs-model is enabled (its model directory is set) so that a run may name it; no worker here can run it.
    env: { PAKATI_WORKER_HEARTBEAT_MS: '1000', PAKATI_TFJS_MODEL_DIR: '/nonexistent/tfjs-model' },
  });
});
afterAll(async () => {
  processes.killAll();
  await stack?.stop();
});

async function fleet(gql = stack.alpha.gql): Promise<FleetWorker[]> {
  const result = await gql<{ workers: FleetWorker[] }>(WORKERS);
  expect(result.errors).toBeUndefined();
  return result.data!.workers;
}

/** Polls until `check` passes (the fleet changes on heartbeats, not on request). */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The procedural backend under its own name, with `generate` replaced. */
function procedural(generate: ImageBackend['generate']): ImageBackend {
  const inner = createProceduralBackend();
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    generate,
    img2img: (p, c) => inner.img2img(p, c),
    inpaint: (p, c) => inner.inpaint(p, c),
  };
}

const registry = (...backends: ImageBackend[]) =>
  new BackendRegistry(
    { ...stack.platform.config.backends, enabled: backends.length ? [] : ['procedural'] },
    BACKEND_FACTORIES,
    backends,
  );

async function startRun(backend: string | null = null) {
  const { projectId, regionId } = await projectWithRegion(stack.alpha.gql);
  const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
    input: { projectId, kind: 'GENERATE', seed: 9, backend },
  });
  expect(started.errors).toBeUndefined();
  const id = started.data!.startRun.run.id;
  return { id, runId: rawId(id), regionId: rawId(regionId) };
}

async function runEvents(runGlobalId: string) {
  const client = wsClient(stack.api.url, stack.alpha.key);
  const { done } = collect<RunEventMessage>(client, RUN_EVENTS, { runId: runGlobalId, after: 0 });
  const result = await done;
  await client.dispose();
  expect(result.error).toBeUndefined();
  return result.items.map((m) => m.runEvents);
}

describe('the worker fleet', () => {
  it('lists an in-process worker with its device, queues, kernel and the jobs in hand during a run', async () => {
    let entered!: () => void;
    const inBackend = new Promise<void>((r) => {
      entered = r;
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const inner = createProceduralBackend();
    const worker = await startWorkers(stack.platform, {
      backends: registry(
        procedural(async (params, ctx) => {
          entered();
          await gate;
          return inner.generate(params, ctx);
        }),
      ),
    });
    const run = await startRun();
    await inBackend;

    const listed = await eventually(async () => {
      const me = (await fleet()).find((w) => w.id === worker.workerId);
      expect(me?.jobs).toHaveLength(1);
      return me!;
    });
    expect(listed).toMatchObject({
      pid: process.pid,
      state: 'READY',
      device: { kind: 'CPU', memoryTotalMb: null },
      analysisKernel: 'sharp',
      backends: ['procedural'],
      jobs: [
        {
          queue: 'generation',
          name: 'render-region',
          jobId: regionJobId(run.runId, run.regionId),
          runId: run.id,
        },
      ],
    });
    expect(listed.tfjsBackend).toMatch(/^(wasm|cpu)$/);
    expect(listed.capabilities).toEqual(['GENERATION', 'ANALYSIS', 'ORCHESTRATION', 'IO']);
    expect(listed.queues).toContainEqual({ name: 'generation', concurrency: 2 });
    expect(listed.queues).toContainEqual({ name: 'analysis', concurrency: 2 });
    expect(listed.queues.map((q) => q.name)).not.toContain('generation-gpu');
    // Another organization sees that the worker is busy, not whose run it holds.
    const seenByBeta = (await fleet(stack.beta.gql)).find((w) => w.id === worker.workerId)!;
    expect(seenByBeta.jobsInHand).toBe(1);
    expect(seenByBeta.jobs).toEqual([]);

    release();
    expect((await runEvents(run.id)).at(-1)!.type).toBe('COMPLETED');
    await eventually(async () => {
      expect((await fleet()).find((w) => w.id === worker.workerId)?.jobs).toEqual([]);
    });

    // A graceful close leaves the fleet at once rather than after missed heartbeats.
    await worker.close();
    expect((await fleet()).map((w) => w.id)).not.toContain(worker.workerId);
  });

  it('drops a worker process killed with SIGKILL once it misses its heartbeats', async () => {
    const child = processes.launch('worker', {
      ...stack.env,
      PAKATI_WORKER_HEARTBEAT_MS: '300',
      LOG_LEVEL: 'warn',
    });

    const alive = await eventually(async () => {
      const found = (await fleet()).find((w) => w.pid === child.pid);
      expect(found?.state).toBe('READY');
      return found!;
    }, 60_000);
    child.kill('SIGKILL');
    await exited(child);
    await eventually(async () => {
      expect((await fleet()).map((w) => w.id)).not.toContain(alive.id);
    });
  });

  it('routes a step on a local-GPU backend to the GPU lane, which a CPU-only worker leaves waiting', async () => {
    const worker = await startWorkers(stack.platform, { backends: registry() });
    try {
      const onGpu = await startRun('tfjs-model');
      // The worker is busy with the ordinary lanes: another run goes all the way through meanwhile.
      const ordinary = await startRun();
      expect((await runEvents(ordinary.id)).at(-1)!.type).toBe('COMPLETED');

      const { queues } = stack.platform;
      const jobId = regionJobId(onGpu.runId, onGpu.regionId);
      expect(['waiting', 'prioritized']).toContain(await queues.queue('generation-gpu').getJobState(jobId));
      expect(await queues.queue('generation').getJob(jobId)).toBeUndefined();
      const status = await stack.alpha.gql<{ run: { status: string } }>(
        `query($id: ID!) { run(id: $id) { status } }`,
        { id: onGpu.id },
      );
      expect(status.data!.run.status).toBe('QUEUED');
    } finally {
      await worker.close();
    }
  });

  it('on a local out-of-memory, exits with 75 and releases the job unspent; another worker finishes the run', async () => {
    // Let earlier tests' runs (the one parked on the GPU lane) not interfere.
    await stack.platform.queues.queue('generation-gpu').obliterate({ force: true });
    let exitWith!: (code: number) => void;
    const exitCode = new Promise<number>((r) => {
      exitWith = r;
    });
    const inner = createProceduralBackend();
    let calls = 0;
    const sick = await startWorkers(stack.platform, {
      backends: registry(
        procedural(async (params, ctx) => {
          calls++;
          if (calls === 1) throw new RangeError('Array buffer allocation failed');
          return inner.generate(params, ctx);
        }),
      ),
      exit: exitWith,
    });
    const run = await startRun();

    expect(await exitCode).toBe(75);
    expect(calls).toBe(1);
    const marked = (await fleet()).find((w) => w.id === sick.workerId);
    expect(marked?.state).toBe('OUT_OF_MEMORY');
    const job = await stack.platform.queues.queue('generation').getJob(regionJobId(run.runId, run.regionId));
    expect(job?.attemptsMade).toBe(0);
    expect(['delayed', 'waiting', 'prioritized']).toContain(await job!.getState());

    const healthy = await startWorkers(stack.platform, { backends: registry() });
    try {
      const events = await runEvents(run.id);
      expect(events.at(-1)!.type).toBe('COMPLETED');
      const starts = events.filter((e) => e.type === 'STEP' && e.status === 'STARTED');
      // Started on the sick worker, then again on the healthy one, both as the first attempt.
      expect(starts.map((e) => (e as { attempt?: number }).attempt)).toEqual([1, 1]);
      expect(events.filter((e) => e.type === 'STEP' && e.status === 'FAILOVER')).toEqual([]);
    } finally {
      await healthy.close();
      await sick.close();
    }
  });
});
