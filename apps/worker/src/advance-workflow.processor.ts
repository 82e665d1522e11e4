import { advanceWorkflowJob } from '@pakati/jobs';
import { defineProcessor } from './processor-registry.ts';
import { failRun } from './run-steps.ts';
import { activeWorkflowRun, workflowOutputs } from './workflow-run.ts';

/**
 * Runs once every step of a level is done: enqueues the next level's flow, or completes the run with the output
 * step's image. Both are safe to repeat (job ids derive from the run and level; the transition checks the status).
 */
export const advanceWorkflowProcessor = defineProcessor({
  contract: advanceWorkflowJob,

  async process({ runId, level }, { platform }) {
    const active = await activeWorkflowRun(platform, runId);
    if (!active) return;
    const { workflow } = active.params;
    const outputs = await workflowOutputs(platform.orm.em.fork(), runId);
    const missing = workflow.levels[level]?.filter((id) => !outputs.has(id)) ?? [];
    if (missing.length)
      throw new Error(`level ${level} of run ${runId} left steps undone: ${missing.join(', ')}`);
    const next = workflow.levels[level + 1];
    if (next) {
      const kinds = new Map(workflow.definition.steps.map((s) => [s.id, s.kind]));
      await platform.queues.enqueueWorkflowLevel(
        runId,
        level + 1,
        next.map((stepId) => ({ stepId, kind: kinds.get(stepId)! })),
        active.run.priority,
      );
      return;
    }
    const output = outputs.get(workflow.definition.output);
    if (!output)
      throw new Error(`the output step ${workflow.definition.output} of run ${runId} has no image`);
    await platform.progress.clear(runId);
    await platform.eventLog.transition(runId, {
      from: ['RUNNING'],
      to: 'SUCCEEDED',
      type: 'COMPLETED',
      payload: {
        imageKey: output.imageKey,
        width: output.width,
        height: output.height,
        outputStep: output.workflowStep,
      },
      patch: {
        progress: 1,
        resultImageKey: output.imageKey,
        resultWidth: output.width,
        resultHeight: output.height,
      },
    });
  },

  onFinalFailure: ({ runId }, error, { platform }) => failRun(platform, runId, error),
});
