import { createHash } from 'node:crypto';
import {
  AnalysisCache,
  analyzeAgainstReferences,
  decodeImage,
  encodePng,
  mergeRegionPatches,
  type ReferenceAnalysis,
} from '@pakati/backends';
import { progressPartId, type RasterImage } from '@pakati/core';
import { AnalysisRecordSchema, GenerationStepSchema, RefinementIterationSchema } from '@pakati/db';
import { analyzeCandidateJob } from '@pakati/jobs';
import { assertContentAllowed, runSemanticAnalyzers, type SemanticFinding } from '@pakati/vision';
import type { AnalysisServices } from './analysis-services.ts';
import { defineProcessor, type JobContext } from './processor-registry.ts';
import type { RegionPatch } from './refine-region.processor.ts';
import { activeRefineRun, type RefineParameters, refineTargets } from './refinement-run.ts';
import { bestEffort, failRun, markRunStarted } from './run-steps.ts';

async function baseImageKey(ctx: JobContext, runId: string, iteration: number, params: RefineParameters) {
  const em = ctx.platform.orm.em.fork();
  if (iteration > 0) {
    const row = await em.findOneOrFail(RefinementIterationSchema, { run: runId, index: iteration });
    return row.baseImageKey;
  }
  if (params.base) return params.base.imageKey;
  const composed = await em.findOne(
    GenerationStepSchema,
    { run: runId, operation: 'compose' },
    { orderBy: { createdAt: 'desc' } },
  );
  if (!composed) throw new Error(`run ${runId} has no generated image to refine`);
  return composed.imageKey;
}

/** The optional semantic analyzers and the vision judge, each reported in the record; a blocked image fails. */
async function semanticFindings(
  services: AnalysisServices,
  image: RasterImage,
  params: RefineParameters,
  references: Map<string, RasterImage>,
  signal: AbortSignal,
): Promise<SemanticFinding[]> {
  const regions = params.regions.map((r) => ({
    id: r.id,
    points: r.points,
    prompt: r.prompt,
    references: references.has(r.id) ? [references.get(r.id)!] : [],
  }));
  const findings = services.semantic.length
    ? await runSemanticAnalyzers(services.semantic, image, regions, signal)
    : [];
  assertContentAllowed(findings);
  if (services.judge) {
    for (const region of params.regions) {
      try {
        const verdict = await services.judge.judge({ image, region, prompt: region.prompt, signal });
        findings.push({
          analyzer: services.judge.name,
          regionId: region.id,
          score: verdict.score,
          passed: null,
          details: { reasons: verdict.reasons, model: verdict.model },
        });
      } catch (error) {
        // The judge is advice: its outage must not fail a run.
        findings.push({
          analyzer: services.judge.name,
          regionId: region.id,
          score: 0,
          passed: null,
          details: { error: error instanceof Error ? error.message : String(error) },
        });
      }
    }
  }
  return findings;
}

/**
 * Builds an iteration's candidate (the best image with the region patches merged in z-order; the base image
 * itself for iteration 0), analyses it against every region's references in one batched pass (cached by image,
 * references and parameters) and stores the analysis record the decision and the next plans are made from.
 */
export const analyzeCandidateProcessor = defineProcessor({
  contract: analyzeCandidateJob,

  async process({ runId, iteration }, ctx) {
    const { platform, job, signal, analysis: services } = ctx;
    if (iteration === 0 && !(await markRunStarted(platform, runId, job.attemptsMade + 1))) return null;
    const active = await activeRefineRun(platform, runId);
    if (!active) return null;
    const { run, params } = active;
    const em = platform.orm.em.fork();
    const done = await em.findOne(AnalysisRecordSchema, { run: runId, iteration });
    if (done) return { analysisId: done.id };

    const began = performance.now();
    const baseKey = await baseImageKey(ctx, runId, iteration, params);
    const baseBytes = await platform.blobs.get(baseKey);
    if (!baseBytes) throw new Error(`image ${baseKey} is missing from the blob store`);
    const base = await decodeImage(baseBytes);
    const patches = Object.values(await job.getChildrenValues()) as (RegionPatch | null)[];
    const order = new Map(params.regions.map((r, i) => [r.id, i]));
    const ordered = patches
      .filter((p): p is RegionPatch => p !== null && typeof p === 'object' && 'patchKey' in p)
      .sort((a, b) => order.get(a.regionId)! - order.get(b.regionId)!);
    let candidate = base;
    let imageKey = baseKey;
    if (ordered.length > 0) {
      const images = await Promise.all(
        ordered.map(async (p) => decodeImage((await platform.blobs.get(p.patchKey)) ?? Buffer.alloc(0))),
      );
      candidate = mergeRegionPatches(base, images);
      imageKey = (await platform.blobs.put(await encodePng(candidate))).key;
    }
    signal.throwIfAborted();

    const { regions, primary } = await refineTargets(params, services);
    const imageHash = createHash('sha256').update(candidate.data).digest('hex');
    const cacheKey = AnalysisCache.key({
      imageHash,
      kernel: services.kernel.name,
      references: regions.flatMap((r) =>
        r.references.map((ref) => ({ hash: ref.profile.hash, weight: ref.weight, regionId: r.id })),
      ),
      regions: regions.map((r) => ({ id: r.id, points: r.points })),
    });
    const cached = await services.cache.get(cacheKey);
    const result: ReferenceAnalysis =
      cached?.value ?? (await analyzeAgainstReferences(candidate, regions, services.kernel.kernel));
    if (!cached) await services.cache.set(cacheKey, result);
    const semantic = await semanticFindings(services, candidate, params, primary, signal);

    const record = em.create(AnalysisRecordSchema, {
      run: runId,
      iteration,
      imageKey,
      imageHash,
      // The cache key includes the kernel, so a cached result was computed by this same kind of kernel.
      kernel: services.kernel.name,
      cacheHit: cached !== null,
      references: params.refine.references.map((r) => ({
        id: r.id,
        regionId: r.regionId,
        weight: r.weight,
        level: r.level,
      })),
      regions: result.regions as unknown as Record<string, unknown>[],
      semantic: semantic as unknown as Record<string, unknown>[],
      durationMs: Math.round(performance.now() - began),
    });
    await em.flush();
    bestEffort(platform, runId, platform.stepDurations.record('analyze', record.durationMs));
    bestEffort(
      platform,
      runId,
      platform.progress.report(run, progressPartId.analyze(iteration), 1, {
        message: `iteration ${iteration}: candidate analysed`,
      }),
    );
    return { analysisId: record.id, patches: ordered };
  },

  onFinalFailure: ({ runId }, error, { platform }) => failRun(platform, runId, error),
});
