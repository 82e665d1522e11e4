import { PakatiError } from '../errors.ts';
import type { MamdaniResult } from '../fuzzy/mamdani.ts';
import { PLAN_VARIANTS, planRegion, type RegionPlan } from './action-planner.ts';
import {
  adaptStrategy,
  initialStrategyState,
  type RefinementStrategy,
  regionsInFocus,
  type StrategyState,
} from './refinement-strategy.ts';

export interface RefinementSettings {
  strategy: RefinementStrategy;
  /** Refinement iterations after the baseline. */
  maxIterations: number;
  targetScore: number;
  /** A best-score gain below this counts as no progress. */
  epsilon: number;
  /** Iterations in a row without progress that end the run as converged. */
  patience: number;
  /** A changed region closer than this (in perceptual-hash bits) to a reference counts as a copy: rejected. */
  minHashDistance: number;
}

export const REFINEMENT_LIMITS = { maxIterations: 20 } as const;

export const DEFAULT_REFINEMENT_SETTINGS: Omit<RefinementSettings, 'strategy'> = {
  maxIterations: 5,
  targetScore: 0.8,
  epsilon: 0.005,
  patience: 3,
  minHashDistance: 10,
};

/** What the analysis of one image says, per region. */
export interface CandidateEvaluation {
  score: number;
  regionScores: Record<string, number>;
  /**
   * Structure and texture distances to the references (null when not measured): they tell whether a
   * regeneration brought the layout closer, and an inpainting the texture.
   */
  distances: Record<string, { structure: number | null; texture: number | null }>;
  /** Perceptual-hash distance to the nearest reference, in bits (null when not measured). */
  hashDistances: Record<string, number | null>;
}

export type GenerativeKind = 'regenerate' | 'inpaint';

export interface RegionMemory {
  variant: number;
  /** Generative steps that did not help this region: not tried on it again. */
  disabled: GenerativeKind[];
}

/** Everything the loop carries from one iteration to the next; plain JSON, stored with the run. */
export interface RefinementState {
  strategy: StrategyState;
  bestIteration: number;
  bestScore: number;
  bestRegionScores: Record<string, number>;
  bestDistances: CandidateEvaluation['distances'];
  regions: Record<string, RegionMemory>;
  stalled: number;
}

export type StopReason = 'TARGET_REACHED' | 'MAX_ITERATIONS' | 'CONVERGED' | 'EXHAUSTED';
export type RejectionReason = 'WORSE' | 'TOO_CLOSE_TO_REFERENCE';

export interface RegionOutcome {
  regionId: string;
  scoreBefore: number;
  scoreAfter: number;
  hashDistance: number | null;
}

export interface Evaluation {
  accepted: boolean;
  rejection: RejectionReason | null;
  gain: number;
  regions: RegionOutcome[];
  state: RefinementState;
}

/** A distance gain below this means the generative step did not bring the region closer. */
const GENERATIVE_GAIN = 0.02;
/** What each generative step is for: the distance it has to lower to be tried again. */
const GENERATIVE_TARGET: Record<GenerativeKind, 'structure' | 'texture'> = {
  regenerate: 'structure',
  inpaint: 'texture',
};

export function validateRefinementSettings(settings: RefinementSettings): RefinementSettings {
  const bad = (field: string, message: string): never => {
    throw new PakatiError('BAD_USER_INPUT', message, { field });
  };
  const { maxIterations, targetScore, epsilon, patience, minHashDistance } = settings;
  if (
    !Number.isInteger(maxIterations) ||
    maxIterations < 1 ||
    maxIterations > REFINEMENT_LIMITS.maxIterations
  ) {
    bad('maxIterations', `maxIterations must be an integer from 1 to ${REFINEMENT_LIMITS.maxIterations}`);
  }
  if (!Number.isFinite(targetScore) || targetScore <= 0 || targetScore > 1) {
    bad('targetScore', 'targetScore must be in (0, 1]');
  }
  if (!Number.isFinite(epsilon) || epsilon < 0 || epsilon >= 1) bad('epsilon', 'epsilon must be in [0, 1)');
  if (!Number.isInteger(patience) || patience < 1 || patience > REFINEMENT_LIMITS.maxIterations) {
    bad('patience', `patience must be an integer from 1 to ${REFINEMENT_LIMITS.maxIterations}`);
  }
  if (!Number.isInteger(minHashDistance) || minHashDistance < 0 || minHashDistance > 64) {
    bad('minHashDistance', 'minHashDistance must be an integer from 0 to 64');
  }
  initialStrategyState(settings.strategy);
  return settings;
}

/** The state after the baseline (iteration 0), which is accepted by definition. */
export function startRefinement(
  settings: RefinementSettings,
  baseline: CandidateEvaluation,
): RefinementState {
  return {
    strategy: initialStrategyState(settings.strategy),
    bestIteration: 0,
    bestScore: baseline.score,
    bestRegionScores: { ...baseline.regionScores },
    bestDistances: structuredClone(baseline.distances),
    regions: Object.fromEntries(
      Object.keys(baseline.regionScores).map((id) => [id, { variant: 0, disabled: [] }]),
    ),
    stalled: 0,
  };
}

export interface RegionInference {
  regionId: string;
  inference: MamdaniResult;
}

function plansFor(
  ids: readonly string[],
  state: RefinementState,
  byId: ReadonlyMap<string, MamdaniResult>,
): RegionPlan[] {
  const plans: RegionPlan[] = [];
  for (const regionId of ids) {
    const inference = byId.get(regionId);
    const memory = state.regions[regionId];
    if (!inference || !memory) continue;
    const plan = planRegion({
      regionId,
      inference,
      intensity: state.strategy.intensity,
      variant: memory.variant,
      generative: {
        regenerate: state.strategy.generative && !memory.disabled.includes('regenerate'),
        inpaint: state.strategy.generative && !memory.disabled.includes('inpaint'),
      },
    });
    if (plan && plan.steps.length > 0) plans.push(plan);
  }
  return plans;
}

/**
 * The next iteration's work: a plan per region in the strategy's focus that has something left to try. When
 * the focused regions have nothing left, the others get their turn; an empty result means the run is exhausted.
 */
export function planIteration(
  state: RefinementState,
  settings: RefinementSettings,
  inferences: readonly RegionInference[],
): RegionPlan[] {
  const byId = new Map(inferences.map((r) => [r.regionId, r.inference]));
  const scores = new Map(Object.entries(state.bestRegionScores).filter(([id]) => byId.has(id)));
  const focused = regionsInFocus(state.strategy, scores, settings.targetScore);
  const plans = plansFor(focused, state, byId);
  if (plans.length > 0 || state.strategy.focus === 'below-target') return plans;
  return plansFor([...scores.keys()], state, byId);
}

function generativeKind(plan: RegionPlan): GenerativeKind | null {
  const step = plan.steps.find((s) => s.kind === 'regenerate' || s.kind === 'inpaint');
  return step ? (step.kind as GenerativeKind) : null;
}

/**
 * Never worse: a candidate that scores below the best so far, or that copies a reference, is rejected and the
 * regions that got worse fall back to their next variant; an accepted one becomes the new base, where every
 * region starts from its full recommendation again. Generative steps that did not bring a region's structure
 * closer are not tried on that region again.
 */
export function evaluateCandidate(
  state: RefinementState,
  settings: RefinementSettings,
  iteration: number,
  plans: readonly RegionPlan[],
  candidate: CandidateEvaluation,
): Evaluation {
  const gain = candidate.score - state.bestScore;
  const outcomes: RegionOutcome[] = plans.map((plan) => ({
    regionId: plan.regionId,
    scoreBefore: state.bestRegionScores[plan.regionId] ?? 0,
    scoreAfter: candidate.regionScores[plan.regionId] ?? 0,
    hashDistance: candidate.hashDistances[plan.regionId] ?? null,
  }));
  const copies = outcomes.filter(
    (o) => o.hashDistance !== null && o.hashDistance <= settings.minHashDistance,
  );
  const rejection: RejectionReason | null =
    copies.length > 0 ? 'TOO_CLOSE_TO_REFERENCE' : gain < 0 ? 'WORSE' : null;
  const regions: Record<string, RegionMemory> = structuredClone(state.regions);

  for (const plan of plans) {
    const memory = regions[plan.regionId];
    const kind = generativeKind(plan);
    if (!memory || !kind) continue;
    const target = GENERATIVE_TARGET[kind];
    const before = state.bestDistances[plan.regionId]?.[target];
    const after = candidate.distances[plan.regionId]?.[target];
    if (
      before != null &&
      after != null &&
      after > before - GENERATIVE_GAIN &&
      !memory.disabled.includes(kind)
    ) {
      memory.disabled.push(kind);
    }
  }

  let next: RefinementState;
  if (rejection === null) {
    for (const memory of Object.values(regions)) memory.variant = 0;
    next = {
      ...state,
      regions,
      bestIteration: iteration,
      bestScore: candidate.score,
      bestRegionScores: { ...state.bestRegionScores, ...candidate.regionScores },
      bestDistances: { ...state.bestDistances, ...structuredClone(candidate.distances) },
      stalled: gain >= settings.epsilon ? 0 : state.stalled + 1,
      strategy: adaptStrategy(state.strategy, { kind: 'accepted', gain }),
    };
  } else {
    const culprits = outcomes.filter(
      (o) => o.scoreAfter < o.scoreBefore || copies.some((c) => c.regionId === o.regionId),
    );
    // Every rejection must change something, or the next iteration would repeat this one.
    for (const o of culprits.length > 0 ? culprits : outcomes) {
      const memory = regions[o.regionId];
      if (memory) memory.variant = Math.min(PLAN_VARIANTS.length, memory.variant + 1);
    }
    next = {
      ...state,
      regions,
      stalled: state.stalled + 1,
      strategy: adaptStrategy(state.strategy, { kind: 'rejected' }),
    };
  }
  return { accepted: rejection === null, rejection, gain, regions: outcomes, state: next };
}

/** Why the run should stop after `iteration` refinement iterations, or null to go on. */
export function stopReason(
  state: RefinementState,
  settings: RefinementSettings,
  iteration: number,
): StopReason | null {
  if (state.bestScore >= settings.targetScore) return 'TARGET_REACHED';
  if (iteration >= settings.maxIterations) return 'MAX_ITERATIONS';
  if (state.stalled >= settings.patience) return 'CONVERGED';
  return null;
}
