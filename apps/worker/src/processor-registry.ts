import type { PromptEnhancer } from '@pakati/core';
import type { AnyJobContract, JobContract, JobPayload } from '@pakati/jobs';
import type { Platform } from '@pakati/platform';
import type { Job } from 'bullmq';
import type { AnalysisServices } from './analysis-services.ts';
import type { BackendRegistry } from './backend-registry.ts';

export interface JobContext {
  platform: Platform;
  backends: BackendRegistry;
  enhancer: PromptEnhancer | null;
  analysis: AnalysisServices;
  job: Job;
  signal: AbortSignal;
}

export interface Processor<C extends JobContract = JobContract> {
  contract: C;
  /** What it returns becomes the job's return value, which a flow's parent reads from its children. */
  process(payload: JobPayload<C>, ctx: JobContext): Promise<unknown>;
  /** Called once when the job will not be tried again, so the run never stays RUNNING forever. */
  onFinalFailure(
    payload: JobPayload<C>,
    error: unknown,
    ctx: Omit<JobContext, 'signal' | 'backends' | 'enhancer' | 'analysis'>,
  ): Promise<void>;
}

export function defineProcessor<C extends JobContract>(processor: Processor<C>): Processor<C> {
  return processor;
}

/**
 * Start-up check (as immich's @OnJob registry does): every declared job has exactly one processor, and no
 * processor handles a job nobody declared. A mismatch stops the worker before it takes any job.
 */
export function buildRegistry(contracts: readonly AnyJobContract[], processors: readonly Processor[]) {
  const byKey = new Map<string, Processor>();
  const problems: string[] = [];
  const declared = new Set(contracts.map((c) => `${c.queue}/${c.name}`));
  for (const p of processors) {
    const key = `${p.contract.queue}/${p.contract.name}`;
    if (!declared.has(key)) problems.push(`processor for undeclared job ${key}`);
    if (byKey.has(key)) problems.push(`more than one processor for ${key}`);
    byKey.set(key, p);
  }
  for (const key of declared) if (!byKey.has(key)) problems.push(`no processor for ${key}`);
  if (problems.length) throw new Error(`job registry is inconsistent:\n  ${problems.join('\n  ')}`);
  return byKey;
}
