import {
  type AnalysisKernel,
  type CandidateEvaluation,
  evaluateCandidate,
  inferRegion,
  iterationScore,
  type PlannedStep,
  planIteration,
  type RasterImage,
  type RefinementSettings,
  type RefinementState,
  type RegionPlan,
  type RuleSet,
  type StopReason,
  startRefinement,
  stopReason,
} from '@pakati/core';
import { mergeRegionPatches } from './patch-merge.ts';
import { applyPlannedSteps, blendLabStats } from './planned-steps.ts';
import { analyzeAgainstReferences, type ReferenceAnalysis, type RegionTarget } from './reference-analysis.ts';

export interface LoopRegion extends RegionTarget {
  featherPx: number;
}

export type GenerativeStep = Extract<PlannedStep, { kind: 'regenerate' | 'inpaint' }>;

/** What one iteration needs from outside: a backend to regenerate or inpaint a region (optional). */
export type RegionGenerator = (
  image: RasterImage,
  region: LoopRegion,
  step: GenerativeStep,
  iteration: number,
) => Promise<RasterImage>;

/** The analysis as the policy sees it. */
export function candidateOf(analysis: ReferenceAnalysis): CandidateEvaluation {
  const regionScores: Record<string, number> = {};
  const distances: CandidateEvaluation['distances'] = {};
  const hashDistances: Record<string, number | null> = {};
  for (const r of analysis.regions) {
    regionScores[r.regionId] = r.score;
    distances[r.regionId] = { structure: r.report.structure_distance, texture: r.report.texture_distance };
    hashDistances[r.regionId] = r.hashDistance;
  }
  return { score: iterationScore(Object.values(regionScores)), regionScores, distances, hashDistances };
}

/** Fuzzy inference for every analysed region, then the strategy's plans. */
export function planFromAnalysis(
  state: RefinementState,
  settings: RefinementSettings,
  ruleSet: RuleSet,
  analysis: ReferenceAnalysis,
): RegionPlan[] {
  return planIteration(
    state,
    settings,
    analysis.regions.map((r) => ({
      regionId: r.regionId,
      inference: inferRegion(ruleSet, r.report, r.score),
    })),
  );
}

/** One region's plan applied to the base, as a whole image that differs from it only inside the region. */
export async function renderRegionPlan(
  base: RasterImage,
  region: LoopRegion,
  plan: RegionPlan,
  iteration: number,
  generate?: RegionGenerator,
  signal?: AbortSignal,
) {
  const referenceLab = blendLabStats(
    region.references.map((r) => ({ stats: r.profile.lab, weight: r.weight })),
  );
  return applyPlannedSteps(base, region, plan.steps, {
    referenceLab,
    ...(generate ? { generative: (image, step) => generate(image, region, step, iteration) } : {}),
    ...(signal ? { signal } : {}),
  });
}

export interface LoopIteration {
  index: number;
  accepted: boolean;
  score: number;
  bestScore: number;
  plans: RegionPlan[];
  analysis: ReferenceAnalysis;
  ms: number;
}

export interface InProcessRefinement {
  image: RasterImage;
  baseline: ReferenceAnalysis;
  best: ReferenceAnalysis;
  iterations: LoopIteration[];
  stop: StopReason;
}

/**
 * The refinement loop in one process: the same analysis, inference, planning, actions and acceptance the worker
 * runs as jobs, for benchmarks and tests that measure the policy rather than the queue.
 */
export async function refineInProcess(options: {
  image: RasterImage;
  regions: readonly LoopRegion[];
  ruleSet: RuleSet;
  settings: RefinementSettings;
  kernel: AnalysisKernel;
  generate?: RegionGenerator;
}): Promise<InProcessRefinement> {
  const { regions, ruleSet, settings, kernel } = options;
  const baseline = await analyzeAgainstReferences(options.image, regions, kernel);
  let state = startRefinement(settings, candidateOf(baseline));
  let best = { image: options.image, analysis: baseline };
  const iterations: LoopIteration[] = [];
  for (let index = 1; ; index++) {
    const stop = stopReason(state, settings, index - 1);
    const plans = stop ? [] : planFromAnalysis(state, settings, ruleSet, best.analysis);
    if (stop || plans.length === 0) {
      return { image: best.image, baseline, best: best.analysis, iterations, stop: stop ?? 'EXHAUSTED' };
    }
    const began = performance.now();
    // Merged in layer order (the regions' order), not plan order: overlaps must resolve the way they are drawn.
    const rank = new Map(regions.map((r, i) => [r.id, i]));
    const layered = [...plans].sort((a, b) => rank.get(a.regionId)! - rank.get(b.regionId)!);
    const patches = await Promise.all(
      layered.map(async (plan) => {
        const region = regions.find((r) => r.id === plan.regionId)!;
        return (await renderRegionPlan(best.image, region, plan, index, options.generate)).image;
      }),
    );
    const candidate = mergeRegionPatches(best.image, patches);
    const analysis = await analyzeAgainstReferences(candidate, regions, kernel);
    const verdict = evaluateCandidate(state, settings, index, plans, candidateOf(analysis));
    state = verdict.state;
    if (verdict.accepted) best = { image: candidate, analysis };
    iterations.push({
      index,
      accepted: verdict.accepted,
      score: candidateOf(analysis).score,
      bestScore: state.bestScore,
      plans,
      analysis,
      ms: performance.now() - began,
    });
  }
}
