import type { JobInHand, WorkerDevice, WorkerRecord } from '@pakati/platform';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';

const WorkerStateEnum = builder.enumType('WorkerState', {
  values: {
    READY: { value: 'ready' as const, description: 'Taking jobs.' },
    DRAINING: {
      value: 'draining' as const,
      description: 'Shutting down: finishing or releasing its jobs, taking no more.',
    },
    OUT_OF_MEMORY: {
      value: 'out-of-memory' as const,
      description: 'Ran out of memory: released its jobs and exits for its supervisor to restart it.',
    },
  },
});

type WorkerCapability = WorkerRecord['capabilities'][number];
// Keyed by capability, so a capability added to the job contracts fails typecheck until it is named here.
const CAPABILITY_NAMES: Record<WorkerCapability, string> = {
  generation: 'GENERATION',
  'gpu-generation': 'GPU_GENERATION',
  analysis: 'ANALYSIS',
  orchestration: 'ORCHESTRATION',
  io: 'IO',
};
const WorkerCapabilityEnum = builder.enumType('WorkerCapability', {
  values: Object.fromEntries(
    Object.entries(CAPABILITY_NAMES).map(([value, name]) => [name, { value: value as WorkerCapability }]),
  ),
});

const WorkerDeviceKindEnum = builder.enumType('WorkerDeviceKind', {
  values: { CPU: { value: 'cpu' as const }, GPU: { value: 'gpu' as const } },
});

const WorkerDeviceRef = builder.objectRef<WorkerDevice>('WorkerDevice').implement({
  fields: (t) => ({
    kind: t.field({ type: WorkerDeviceKindEnum, resolve: (d) => d.kind }),
    name: t.exposeString('name'),
    memoryTotalMb: t.int({
      nullable: true,
      description: 'GPU memory; null on a CPU.',
      resolve: (d) => d.memoryTotalMb,
    }),
    memoryUsedMb: t.int({
      nullable: true,
      description: 'GPU memory in use at the last heartbeat; null on a CPU.',
      resolve: (d) => d.memoryUsedMb,
    }),
  }),
});

const WorkerQueueRef = builder.objectRef<WorkerRecord['queues'][number]>('WorkerQueue').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    concurrency: t.exposeInt('concurrency', { description: 'Jobs of this queue it runs at once.' }),
  }),
});

const WorkerJobRef = builder.objectRef<JobInHand>('WorkerJob').implement({
  description: 'A job a worker holds right now.',
  fields: (t) => ({
    queue: t.exposeString('queue'),
    name: t.exposeString('name'),
    jobId: t.exposeString('jobId'),
    runId: t.id({ nullable: true, resolve: (j) => (j.runId ? encodeGlobalID('Run', j.runId) : null) }),
    startedAt: t.field({ type: 'DateTime', resolve: (j) => new Date(j.startedAt) }),
  }),
});

const WorkerRef = builder.objectRef<WorkerRecord & { jobsInHand: number }>('Worker').implement({
  description: 'A worker process that beat within its last three heartbeat intervals.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'host:pid:random; a restarted process is a new worker.' }),
    host: t.exposeString('host'),
    pid: t.exposeInt('pid'),
    state: t.field({ type: WorkerStateEnum, resolve: (w) => w.state }),
    startedAt: t.field({ type: 'DateTime', resolve: (w) => new Date(w.startedAt) }),
    lastHeartbeatAt: t.field({ type: 'DateTime', resolve: (w) => new Date(w.lastHeartbeatAt) }),
    heartbeatMs: t.exposeInt('heartbeatMs'),
    device: t.field({ type: WorkerDeviceRef, resolve: (w) => w.device }),
    tfjsBackend: t.string({
      nullable: true,
      description: "TensorFlow.js backend in this process: 'tensorflow' (native), 'wasm' or 'cpu'.",
      resolve: (w) => w.tfjsBackend,
    }),
    analysisKernel: t.exposeString('analysisKernel'),
    analysisKernelReason: t.exposeString('analysisKernelReason'),
    semanticAnalyzers: t.exposeStringList('semanticAnalyzers'),
    visionJudge: t.string({ nullable: true, resolve: (w) => w.visionJudge }),
    backends: t.exposeStringList('backends', { description: 'Generation backends it hosts.' }),
    capabilities: t.field({
      type: [WorkerCapabilityEnum],
      description: 'What decides the queues it consumes.',
      resolve: (w) => w.capabilities,
    }),
    queues: t.field({ type: [WorkerQueueRef], resolve: (w) => w.queues }),
    jobs: t.field({
      type: [WorkerJobRef],
      description:
        "The jobs in hand that belong to the caller's organization; other tenants' jobs are left out.",
      resolve: (w) => w.jobs,
    }),
    jobsInHand: t.int({
      description: 'Every job it holds, of any organization.',
      resolve: (w) => w.jobsInHand,
    }),
  }),
});

builder.queryField('workers', (t) =>
  t.field({
    type: [WorkerRef],
    description:
      'The worker fleet: every live worker with its device, queues and jobs in hand. Readable by any API key for now; to be restricted to administrators.',
    resolve: async (_root, _args, ctx) => {
      const fleet = await ctx.platform.fleet.list();
      const runIds = fleet.flatMap((w) => w.jobs.flatMap((j) => (j.runId ? [j.runId] : [])));
      const own = await ctx.platform.runs.ownedRunIds(ctx.principal.organizationId, [...new Set(runIds)]);
      return fleet.map((w) => ({
        ...w,
        jobsInHand: w.jobs.length,
        jobs: w.jobs.filter((j) => j.runId !== null && own.has(j.runId)),
      }));
    },
  }),
);
