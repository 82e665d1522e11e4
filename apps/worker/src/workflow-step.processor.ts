import { decodeImage, encodePng } from '@pakati/backends';
import { inputOf, progressPartId } from '@pakati/core';
import { workflowAnalysisStepJob, workflowGenerationStepJob } from '@pakati/jobs';
import { defineProcessor, type JobContext } from './processor-registry.ts';
import { bestEffort, failRun, markRunStarted, settled } from './run-steps.ts';
import { activeWorkflowRun, recordStepOutput, workflowOutputs } from './workflow-run.ts';
import { executeWorkflowStep } from './workflow-steps.ts';

/**
 * One step of a WORKFLOW run: reads its input step's image, runs, and records its output once. A step that is
 * already recorded (a retry, or a job recovered from a crashed worker) does nothing.
 */
async function runWorkflowStep(
  { runId, stepId }: { runId: string; stepId: string },
  { platform, backends, analysis, job, signal }: JobContext,
) {
  const active = await activeWorkflowRun(platform, runId);
  if (!active) return;
  if (!(await markRunStarted(platform, runId, job.attemptsMade + 1))) return;
  const { run, params } = active;
  const step = params.workflow.definition.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`step ${stepId} is not part of workflow run ${runId}`);
  const em = platform.orm.em.fork();
  const outputs = await workflowOutputs(em, runId);
  if (outputs.has(stepId)) return;
  await platform.eventLog.transition(runId, {
    from: ['RUNNING'],
    type: 'STEP',
    payload: { workflowStep: stepId, kind: step.kind, status: 'STARTED', attempt: job.attemptsMade + 1 },
  });
  const inputId = inputOf(step);
  const inputOutput = inputId ? outputs.get(inputId) : null;
  if (inputId && !inputOutput) throw new Error(`step ${stepId} runs before its input ${inputId} is done`);
  const inputBytes = inputOutput ? await platform.blobs.get(inputOutput.imageKey) : null;
  if (inputOutput && !inputBytes)
    throw new Error(`image ${inputOutput.imageKey} is missing from the blob store`);
  const began = performance.now();
  const result = await executeWorkflowStep(step, inputBytes ? await decodeImage(inputBytes) : null, {
    platform,
    backends,
    analysis,
    signal,
    run,
    params,
  });
  signal.throwIfAborted();
  const imageKey = result.changed
    ? (await platform.blobs.put(await encodePng(result.image))).key
    : inputOutput!.imageKey;
  const history = await Promise.all(
    result.history.map(async ({ image, ...entry }) => ({
      ...entry,
      imageKey: (await platform.blobs.put(await encodePng(image))).key,
      width: image.width,
      height: image.height,
    })),
  );
  const durationMs = Math.round(performance.now() - began);
  const recorded = await recordStepOutput(
    platform,
    runId,
    {
      workflowStep: stepId,
      kind: step.kind,
      status: 'SUCCEEDED',
      imageKey,
      width: result.image.width,
      height: result.image.height,
      durationMs,
      ...(result.report ? { report: result.report } : {}),
    },
    history,
  );
  if (!recorded) return;
  bestEffort(platform, runId, platform.stepDurations.record(`workflow-${step.kind}`, durationMs));
  await settled(
    platform,
    runId,
    platform.progress.report(run, progressPartId.workflowStep(stepId), 1, { message: `step ${stepId} done` }),
  );
}

export const workflowGenerationStepProcessor = defineProcessor({
  contract: workflowGenerationStepJob,
  process: runWorkflowStep,
  onFinalFailure: ({ runId }, error, { platform }) => failRun(platform, runId, error),
});

export const workflowAnalysisStepProcessor = defineProcessor({
  contract: workflowAnalysisStepJob,
  process: runWorkflowStep,
  onFinalFailure: ({ runId }, error, { platform }) => failRun(platform, runId, error),
});
