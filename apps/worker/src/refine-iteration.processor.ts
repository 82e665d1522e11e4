import { candidateOf, planFromAnalysis, type ReferenceAnalysis, type RegionAnalysis } from '@pakati/backends';
import {
  type Evaluation,
  evaluateCandidate,
  parseRuleSet,
  type RefinementState,
  type RegionPlan,
  type StopReason,
  startRefinement,
  stopReason,
} from '@pakati/core';
import {
  type AnalysisRecord,
  AnalysisRecordSchema,
  RefinementEvidenceSchema,
  type RefinementIteration,
  RefinementIterationSchema,
} from '@pakati/db';
import { refineIterationJob } from '@pakati/jobs';
import { defineProcessor, type JobContext } from './processor-registry.ts';
import type { RegionPatch } from './refine-region.processor.ts';
import { activeRefineRun, type RefineParameters } from './refinement-run.ts';
import { bestEffort, failRun } from './run-steps.ts';

const analysisOf = (record: AnalysisRecord): ReferenceAnalysis => ({
  kernel: record.kernel,
  regions: record.regions as unknown as RegionAnalysis[],
});

function regionSummaries(record: AnalysisRecord) {
  return analysisOf(record).regions.map((r) => ({
    regionId: r.regionId,
    score: r.score,
    attributeDelta: r.attributeDelta,
    hashDistance: r.hashDistance,
    deltas: r.report,
  }));
}

/** Decides iteration `index` (the baseline when 0): accepted or rejected, with the outcome per region. */
async function decide(
  ctx: JobContext,
  runId: string,
  index: number,
  params: RefineParameters,
  record: AnalysisRecord,
  patches: RegionPatch[],
): Promise<RefinementIteration> {
  const em = ctx.platform.orm.em.fork();
  const existing = await em.findOne(RefinementIterationSchema, { run: runId, index });
  if (existing && existing.status !== 'PLANNED') return existing;
  const candidate = candidateOf(analysisOf(record));
  const { settings } = params.refine;
  let row: RefinementIteration;
  let verdict: Pick<Evaluation, 'accepted' | 'rejection' | 'state' | 'regions'>;
  if (index === 0) {
    const state = startRefinement(settings, candidate);
    verdict = { accepted: true, rejection: null, state, regions: [] };
    row = em.create(RefinementIterationSchema, {
      run: runId,
      index: 0,
      status: 'PLANNED',
      baseImageKey: record.imageKey,
      strategy: { ...state.strategy },
      plans: [],
      regions: [],
    });
  } else {
    if (!existing) throw new Error(`iteration ${index} of run ${runId} was never planned`);
    row = existing;
    const previous = await em.findOneOrFail(RefinementIterationSchema, { run: runId, index: index - 1 });
    const state = previous.state as unknown as RefinementState;
    verdict = evaluateCandidate(state, settings, index, row.plans as unknown as RegionPlan[], candidate);
  }
  const steps = new Map(patches.map((p) => [p.regionId, p.steps]));
  row.status = verdict.accepted ? 'ACCEPTED' : 'REJECTED';
  row.imageKey = record.imageKey;
  row.score = candidate.score;
  row.bestScore = verdict.state.bestScore;
  row.rejection = verdict.rejection;
  row.state = verdict.state as unknown as Record<string, unknown>;
  row.analysis = record.id;
  row.regions = regionSummaries(record).map((r) => ({
    ...r,
    scoreBefore: verdict.regions.find((o) => o.regionId === r.regionId)?.scoreBefore ?? null,
    steps: steps.get(r.regionId) ?? [],
  }));
  row.durationMs = record.durationMs;
  row.decidedAt = new Date();
  await em.flush();
  return row;
}

/**
 * Plans iteration `index` from the best image's analysis: fuzzy inference with the effective rule set, the
 * strategy's plans, and one evidence record per recommendation linking it to that analysis. Idempotent.
 */
async function plan(
  ctx: JobContext,
  runId: string,
  index: number,
  params: RefineParameters,
  state: RefinementState,
  best: { record: AnalysisRecord; imageKey: string },
  organizationId: string,
  projectId: string,
): Promise<RegionPlan[]> {
  const em = ctx.platform.orm.em.fork();
  const existing = await em.findOne(RefinementIterationSchema, { run: runId, index });
  if (existing) return existing.plans as unknown as RegionPlan[];
  const effective = await ctx.platform.ruleSets.effective(organizationId, projectId);
  const ruleSet = parseRuleSet(effective.text);
  const analysis = analysisOf(best.record);
  const plans = planFromAnalysis(state, params.refine.settings, ruleSet, analysis);
  if (plans.length === 0) return plans;
  await em.transactional(async (tx) => {
    const row = tx.create(RefinementIterationSchema, {
      run: runId,
      index,
      status: 'PLANNED',
      baseImageKey: best.imageKey,
      strategy: { ...state.strategy, ruleSet: { source: effective.source, version: effective.version } },
      plans: plans as unknown as Record<string, unknown>[],
      regions: [],
    });
    for (const p of plans) {
      const measured = analysis.regions.find((r) => r.regionId === p.regionId)!;
      const inputs = { ...measured.report, satisfaction: measured.score };
      for (const recommendation of p.recommendations) {
        tx.create(RefinementEvidenceSchema, {
          iteration: row,
          analysis: best.record.id,
          regionId: p.regionId,
          output: recommendation.output,
          value: recommendation.value,
          fired: recommendation.fired,
          inputs,
          referenceIds: measured.references.map((r) => r.referenceId),
        });
      }
    }
  });
  return plans;
}

/**
 * The refinement driver (CPU): decides the iteration its flow just analysed, streams it as one ITERATION event,
 * then either enqueues the next iteration's flow or finishes the run with the best accepted image.
 */
export const refineIterationProcessor = defineProcessor({
  contract: refineIterationJob,

  async process({ runId, iteration }, ctx) {
    const { platform, job } = ctx;
    const active = await activeRefineRun(platform, runId);
    if (!active) return null;
    const { run, params } = active;
    const began = performance.now();
    const em = platform.orm.em.fork();
    const record = await em.findOneOrFail(AnalysisRecordSchema, { run: runId, iteration });
    const children = Object.values(await job.getChildrenValues()) as ({ patches?: RegionPatch[] } | null)[];
    const patches = children.flatMap((c) => c?.patches ?? []);
    const row = await decide(ctx, runId, iteration, params, record, patches);
    const state = row.state as unknown as RefinementState;
    const bestRow = await em.findOneOrFail(RefinementIterationSchema, {
      run: runId,
      index: state.bestIteration,
    });
    const bestRecord = await em.findOneOrFail(AnalysisRecordSchema, {
      run: runId,
      iteration: state.bestIteration,
    });
    const { settings } = params.refine;
    // Every part of this iteration is done now, refined or not; stopping early, COMPLETED brings it to 1.
    const progress = await platform.progress.completeIteration(run, iteration);
    bestEffort(platform, runId, platform.stepDurations.record('decide', performance.now() - began));

    await platform.eventLog.transition(runId, {
      from: ['RUNNING'],
      type: 'ITERATION',
      payload: {
        iteration,
        accepted: row.status === 'ACCEPTED',
        rejection: row.rejection,
        score: row.score,
        bestScore: row.bestScore,
        bestIteration: state.bestIteration,
        imageKey: row.imageKey,
        bestImageKey: bestRow.imageKey,
        kernel: record.kernel,
        strategy: { intensity: state.strategy.intensity, focus: state.strategy.focus },
        regions: (row.regions as Record<string, unknown>[]).map((r) => ({
          regionId: r.regionId,
          score: r.score,
          scoreBefore: r.scoreBefore,
          attributeDelta: r.attributeDelta,
          hashDistance: r.hashDistance,
        })),
        actions: (row.plans as unknown as RegionPlan[]).map((p) => ({
          regionId: p.regionId,
          steps: p.steps.map((s) => s.kind),
        })),
        durationMs: row.durationMs,
        fraction: progress.fraction,
        etaSeconds: progress.etaSeconds,
      },
      patch: { progress: progress.fraction },
    });

    let stop: StopReason | null = stopReason(state, settings, iteration);
    if (!stop) {
      const next = await plan(
        ctx,
        runId,
        iteration + 1,
        params,
        state,
        { record: bestRecord, imageKey: bestRow.imageKey ?? bestRow.baseImageKey },
        run.organization.id,
        run.project.id,
      );
      if (next.length > 0) {
        await platform.queues.enqueueRefinementIteration(
          runId,
          iteration + 1,
          next.map((p) => p.regionId),
          [],
          run.priority,
        );
        return { stop: null };
      }
      stop = 'EXHAUSTED';
    }
    await finish(ctx, runId, stop, state, bestRow, params, run.startedAt ?? null);
    return { stop };
  },

  onFinalFailure: ({ runId }, error, { platform }) => failRun(platform, runId, error),
});

async function finish(
  ctx: JobContext,
  runId: string,
  stop: StopReason,
  state: RefinementState,
  best: RefinementIteration,
  params: RefineParameters,
  startedAt: Date | null,
) {
  const em = ctx.platform.orm.em.fork();
  const baseline = await em.findOneOrFail(RefinementIterationSchema, { run: runId, index: 0 });
  const iterations = await em.count(RefinementIterationSchema, { run: runId, index: { $gt: 0 } });
  const imageKey = best.imageKey ?? best.baseImageKey;
  await ctx.platform.progress.clear(runId);
  await ctx.platform.eventLog.transition(runId, {
    from: ['RUNNING'],
    to: 'SUCCEEDED',
    type: 'COMPLETED',
    payload: {
      imageKey,
      width: params.canvas.width,
      height: params.canvas.height,
      durationMs: startedAt ? Date.now() - startedAt.getTime() : 0,
      stopReason: stop,
      bestIteration: state.bestIteration,
      baselineScore: baseline.score,
      bestScore: state.bestScore,
      iterations,
    },
    patch: {
      progress: 1,
      resultImageKey: imageKey,
      resultWidth: params.canvas.width,
      resultHeight: params.canvas.height,
    },
  });
}
