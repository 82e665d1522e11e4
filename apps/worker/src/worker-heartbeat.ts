import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { JobInHand, Platform, WorkerDevice, WorkerRecord, WorkerState } from '@pakati/platform';
import type { Job } from 'bullmq';
import type { AnalysisServices } from './analysis-services.ts';
import type { BackendRegistry } from './backend-registry.ts';
import { queryGpus, type WorkerPlan } from './worker-capabilities.ts';

/**
 * This worker's entry in the fleet: written now and every heartbeat, with the jobs in hand and, on a GPU, its
 * memory as nvidia-smi sees it at that moment. The backend statuses for the `models` query travel on the same beat.
 */
export class WorkerHeartbeat {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly startedAt = Date.now();
  private readonly jobs = new Map<string, JobInHand>();
  private device: WorkerDevice;
  private timer: NodeJS.Timeout | undefined;
  private last: Promise<void> = Promise.resolve();
  private inFlight = 0;
  state: WorkerState = 'ready';

  constructor(
    private readonly platform: Platform,
    private readonly backends: BackendRegistry,
    private readonly analysis: AnalysisServices,
    private readonly plan: WorkerPlan,
  ) {
    this.device = plan.device;
  }

  hold(job: Job): void {
    const runId = (job.data as { runId?: unknown })?.runId;
    this.jobs.set(`${job.queueName}/${job.id}`, {
      queue: job.queueName,
      name: job.name,
      jobId: job.id ?? '',
      runId: typeof runId === 'string' ? runId : null,
      startedAt: Date.now(),
    });
  }

  drop(job: Job): void {
    this.jobs.delete(`${job.queueName}/${job.id}`);
  }

  record(): Omit<WorkerRecord, 'lastHeartbeatAt'> {
    const { kernel, semantic, judge } = this.analysis;
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      device: this.device,
      tfjsBackend: this.plan.tfjsBackend,
      analysisKernel: kernel.name,
      analysisKernelReason: kernel.reason,
      semanticAnalyzers: semantic.map((a) => a.name),
      visionJudge: judge?.name ?? null,
      backends: this.backends.statuses().map((s) => s.name),
      capabilities: this.plan.capabilities,
      queues: this.plan.queues,
      jobs: [...this.jobs.values()],
      state: this.state,
      heartbeatMs: this.platform.config.worker.heartbeatMs,
    };
  }

  /** Writes after any beat in flight, so a state just changed is what lands last. A failed beat is only logged. */
  beat(): Promise<void> {
    this.inFlight++;
    this.last = this.last.then(() => this.write()).finally(() => this.inFlight--);
    return this.last;
  }

  private async write(): Promise<void> {
    try {
      if (this.device.kind === 'gpu') {
        this.device = (await queryGpus().catch(() => []))[0] ?? this.device;
      }
      await Promise.all([
        this.platform.fleet.beat(this.record()),
        this.platform.backendStatus.report(this.id, this.backends.statuses()),
      ]);
    } catch (err) {
      this.platform.logger.warn({ err }, 'worker heartbeat failed');
    }
  }

  async start(): Promise<void> {
    await this.beat();
    // A slow Redis skips ticks rather than queueing them.
    this.timer = setInterval(() => {
      if (this.inFlight === 0) void this.beat();
    }, this.platform.config.worker.heartbeatMs);
    this.timer.unref();
  }

  /** Stops beating; the record then expires after a few intervals unless `leave` removes it first. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.last;
  }

  async leave(): Promise<void> {
    await this.stop();
    await this.platform.fleet.remove(this.id).catch((err: unknown) => {
      this.platform.logger.warn({ err }, 'could not remove this worker from the fleet');
    });
  }
}
