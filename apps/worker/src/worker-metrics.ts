import type { CallOutcome } from '@pakati/backends';
import type { BackendStatus } from '@pakati/core';
import { QUEUE_NAMES } from '@pakati/jobs';
import { createMetricsRegistry, type Platform } from '@pakati/platform';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const CIRCUIT_VALUE: Record<BackendStatus['circuit'], number> = { closed: 0, 'half-open': 1, open: 2 };

/** BullMQ's names for the states a job waits or sits in; `prioritized` is where jobs with a priority wait. */
const DEPTH_STATES = ['waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed'] as const;

export type JobStatus = 'completed' | 'failed' | 'retried';

export interface WorkerMetrics {
  registry: Registry;
  jobFinished(queue: string, name: string, status: JobStatus): void;
  /** Starts a job's timer; calling what it returns records the duration. */
  jobStarted(queue: string, name: string): () => void;
  backendCall(outcome: CallOutcome): void;
}

/**
 * The worker's Prometheus metrics: jobs and their durations, backend call latency, and, read at scrape time, each
 * backend's circuit state and every queue's depth by state.
 */
export function createWorkerMetrics(platform: Platform, backends: () => BackendStatus[]): WorkerMetrics {
  const registry = createMetricsRegistry('worker');
  const registers = [registry];
  const jobs = new Counter({
    name: 'pakati_worker_jobs_total',
    help: 'Jobs this worker finished, by queue, job name and status (completed, failed for good, retried).',
    labelNames: ['queue', 'name', 'status'],
    registers,
  });
  const jobDuration = new Histogram({
    name: 'pakati_worker_job_duration_seconds',
    help: 'Time a job spent in its processor, by queue and job name.',
    labelNames: ['queue', 'name'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers,
  });
  const backendCalls = new Histogram({
    name: 'pakati_backend_call_duration_seconds',
    help: 'Latency of generation backend calls, by backend, operation and outcome (success or the error kind).',
    labelNames: ['backend', 'operation', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  new Gauge({
    name: 'pakati_backend_circuit_state',
    help: "Each backend's circuit breaker on this worker: 0 closed, 1 half-open, 2 open.",
    labelNames: ['backend'],
    registers,
    collect() {
      this.reset();
      for (const s of backends()) this.set({ backend: s.name }, CIRCUIT_VALUE[s.circuit]);
    },
  });
  new Gauge({
    name: 'pakati_queue_jobs',
    help: 'Jobs in each queue by state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      const counts = await Promise.all(
        QUEUE_NAMES.map(async (queue) => ({
          queue,
          counts: await platform.queues.queue(queue).getJobCounts(...DEPTH_STATES),
        })),
      );
      for (const { queue, counts: byState } of counts) {
        for (const state of DEPTH_STATES) this.set({ queue, state }, byState[state] ?? 0);
      }
    },
  });
  return {
    registry,
    jobFinished: (queue, name, status) => jobs.inc({ queue, name, status }),
    jobStarted: (queue, name) => jobDuration.startTimer({ queue, name }),
    backendCall: (o) =>
      backendCalls.observe(
        { backend: o.backend, operation: o.operation, outcome: o.ok ? 'success' : (o.errorKind ?? 'error') },
        o.latencyMs / 1000,
      ),
  };
}
