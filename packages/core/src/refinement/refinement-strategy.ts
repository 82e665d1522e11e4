import { PakatiError } from '../errors.ts';

export const REFINEMENT_STRATEGIES = ['CONSERVATIVE', 'AGGRESSIVE', 'ADAPTIVE', 'TARGETED'] as const;
export type RefinementStrategy = (typeof REFINEMENT_STRATEGIES)[number];

/** Which regions an iteration touches. */
export type RegionFocus = 'below-target' | 'all' | 'worst';

/**
 * What an iteration does under a strategy. Intensity scales every action's strength (the original's
 * multipliers .3 / 1.5 / .7 / 1.0, which it defined but never called).
 */
export interface StrategyState {
  strategy: RefinementStrategy;
  intensity: number;
  focus: RegionFocus;
  /** Whether regions may be regenerated or inpainted, or only edited in place. */
  generative: boolean;
  /** ADAPTIVE only: iterations in a row that gained little. */
  stalls: number;
}

export const MIN_INTENSITY = 0.2;
export const MAX_INTENSITY = 1.5;
/** A gain above this keeps ADAPTIVE's course (the original's 0.05). */
export const ADAPTIVE_GOOD_GAIN = 0.05;

export function initialStrategyState(strategy: RefinementStrategy): StrategyState {
  switch (strategy) {
    case 'CONSERVATIVE':
      return { strategy, intensity: 0.3, focus: 'below-target', generative: false, stalls: 0 };
    case 'AGGRESSIVE':
      return { strategy, intensity: 1.5, focus: 'all', generative: true, stalls: 0 };
    case 'ADAPTIVE':
      return { strategy, intensity: 0.7, focus: 'all', generative: true, stalls: 0 };
    case 'TARGETED':
      return { strategy, intensity: 1, focus: 'worst', generative: true, stalls: 0 };
    default:
      throw new PakatiError('BAD_USER_INPUT', `unknown refinement strategy ${String(strategy)}`, {
        field: 'strategy',
        known: REFINEMENT_STRATEGIES,
      });
  }
}

export type IterationOutcome = { kind: 'accepted'; gain: number } | { kind: 'rejected' };

const clampIntensity = (x: number) => Math.min(MAX_INTENSITY, Math.max(MIN_INTENSITY, x));

/**
 * The state for the next iteration. Fixed strategies keep theirs. ADAPTIVE reacts to every outcome, not only
 * once: a worse result backs off, a clear gain presses on, and gains that keep stalling first push harder and
 * then switch between broad and targeted passes, so the cycle never ends in one mode.
 */
export function adaptStrategy(state: StrategyState, outcome: IterationOutcome): StrategyState {
  if (state.strategy !== 'ADAPTIVE') return state;
  if (outcome.kind === 'rejected') {
    return { ...state, intensity: clampIntensity(state.intensity * 0.6), stalls: 0 };
  }
  if (outcome.gain > ADAPTIVE_GOOD_GAIN) {
    return { ...state, intensity: clampIntensity(state.intensity * 1.1), stalls: 0 };
  }
  const stalls = state.stalls + 1;
  if (stalls >= 2) {
    return {
      ...state,
      focus: state.focus === 'worst' ? 'all' : 'worst',
      intensity: clampIntensity(state.intensity * 1.3),
      stalls: 0,
    };
  }
  return { ...state, intensity: clampIntensity(state.intensity * 1.3), stalls };
}

/** The regions an iteration works on, given their scores (lowest first when focusing on the worst). */
export function regionsInFocus(
  state: StrategyState,
  scores: ReadonlyMap<string, number>,
  targetScore: number,
): string[] {
  const ids = [...scores.keys()];
  switch (state.focus) {
    case 'all':
      return ids;
    case 'below-target':
      return ids.filter((id) => scores.get(id)! < targetScore);
    case 'worst': {
      const sorted = ids.sort((a, b) => scores.get(a)! - scores.get(b)!);
      return sorted.slice(0, Math.max(1, Math.ceil(sorted.length / 3)));
    }
  }
}
