import { LockMode } from '@mikro-orm/core';
import type { WorkflowStep } from '@pakati/core';
import { GenerationStepSchema, type Run, RunEventSchema, RunSchema, TERMINAL_RUN_STATUSES } from '@pakati/db';
import type { Platform, RunParameters, WorkflowSnapshot } from '@pakati/platform';
import type { GeneratedRegion } from './region-generator.ts';

export type WorkflowRunParameters = RunParameters & { workflow: WorkflowSnapshot };

/** What a finished step left for the steps after it; kept in its SUCCEEDED `STEP` event, the durable log. */
export interface WorkflowStepOutput {
  workflowStep: string;
  kind: WorkflowStep['kind'];
  status: 'SUCCEEDED';
  imageKey: string;
  width: number;
  height: number;
  durationMs: number;
  report?: Record<string, unknown>;
}

/** The run, when it is a WORKFLOW run that is still going; null when it has ended (cancelled, failed). */
export async function activeWorkflowRun(
  platform: Platform,
  runId: string,
): Promise<{ run: Run; params: WorkflowRunParameters } | null> {
  const run = await platform.orm.em.fork().findOne(RunSchema, { id: runId }, { populate: ['project'] });
  if (!run || TERMINAL_RUN_STATUSES.includes(run.status)) return null;
  const params = run.parameters as unknown as Partial<WorkflowRunParameters>;
  if (!params.workflow) throw new Error(`run ${runId} is not a WORKFLOW run`);
  return { run, params: params as WorkflowRunParameters };
}

const isOutput = (
  payload: Record<string, unknown>,
): payload is Record<string, unknown> & WorkflowStepOutput =>
  typeof payload.workflowStep === 'string' && payload.status === 'SUCCEEDED';

export async function workflowOutputs(
  em: ReturnType<Platform['orm']['em']['fork']>,
  runId: string,
): Promise<Map<string, WorkflowStepOutput>> {
  const events = await em.find(RunEventSchema, { run: runId, type: 'STEP' }, { orderBy: { seq: 'asc' } });
  const outputs = new Map<string, WorkflowStepOutput>();
  for (const e of events) if (isOutput(e.payload)) outputs.set(e.payload.workflowStep, e.payload);
  return outputs;
}

/**
 * Stores a step's output event and its generation history in one transaction, once: a retried or recovered job that
 * finds the step already done writes nothing, so outputs are never duplicated.
 */
export async function recordStepOutput(
  platform: Platform,
  runId: string,
  output: WorkflowStepOutput,
  history: readonly (GeneratedRegion['history'] & { imageKey: string; width: number; height: number })[],
): Promise<boolean> {
  const em = platform.orm.em.fork();
  const appended = await em.transactional(async (tx) => {
    const run = await tx.findOne(RunSchema, { id: runId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (run?.status !== 'RUNNING') return null;
    if ((await workflowOutputs(tx, runId)).has(output.workflowStep)) return null;
    for (const entry of history) {
      tx.create(GenerationStepSchema, {
        ...entry,
        run,
        project: run.project,
        parameters: { workflowStep: output.workflowStep },
      });
    }
    return platform.eventLog.append(tx, run, 'STEP', { ...output }, run.status);
  });
  if (!appended) return false;
  await platform.eventLog.committed(appended.record, appended.context);
  return true;
}
