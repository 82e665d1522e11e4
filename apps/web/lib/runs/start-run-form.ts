import {
  DEFAULT_REFINEMENT_SETTINGS,
  REFINEMENT_LIMITS,
  REFINEMENT_STRATEGIES,
  type RefinementStrategy,
} from '@pakati/core';

export const START_RUN_KINDS = ['GENERATE', 'REFINE'] as const;
export type StartRunKind = (typeof START_RUN_KINDS)[number];
export type { RefinementStrategy };
export { REFINEMENT_STRATEGIES };

/** The API's run priority range (StartRunInput.priority); blank uses the organization tier's default. */
export const PRIORITY_RANGE = { min: 1, max: 10 } as const;
const MAX_SEED = 2 ** 32 - 1;

/** The form as typed: numbers stay strings until validated so a half-typed value is not lost. */
export interface StartRunFormValues {
  kind: StartRunKind;
  strategy: RefinementStrategy;
  maxIterations: string;
  targetScore: string;
  seed: string;
  priority: string;
}

export const START_RUN_FIELDS = [
  'kind',
  'strategy',
  'maxIterations',
  'targetScore',
  'seed',
  'priority',
] as const;
export type StartRunField = (typeof START_RUN_FIELDS)[number];

export interface FieldError {
  code: string;
  message: string;
}
export type FieldErrors = Partial<Record<StartRunField, FieldError>>;

/** What startRun receives (a subset of StartRunInput; the idempotency key is added per submit). */
export interface StartRunRequest {
  projectId: string;
  kind: StartRunKind;
  seed?: number;
  priority?: number;
  strategy?: RefinementStrategy;
  maxIterations?: number;
  targetScore?: number;
}

export const DEFAULT_START_RUN_VALUES: StartRunFormValues = {
  kind: 'GENERATE',
  strategy: 'ADAPTIVE',
  maxIterations: String(DEFAULT_REFINEMENT_SETTINGS.maxIterations),
  targetScore: String(DEFAULT_REFINEMENT_SETTINGS.targetScore),
  seed: '',
  priority: '',
};

const bad = (message: string): FieldError => ({ code: 'BAD_USER_INPUT', message });

function parseInteger(raw: string): number | null {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

/**
 * Checks the form the way the API would and builds the request; refinement options are sent only
 * for REFINE runs. Blank seed and priority are left to the API (a drawn seed, the tier's priority).
 */
export function validateStartRun(
  projectId: string,
  values: StartRunFormValues,
): { ok: true; request: StartRunRequest } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const request: StartRunRequest = { projectId, kind: values.kind };

  if (values.seed.trim()) {
    const seed = parseInteger(values.seed);
    if (seed === null || seed > MAX_SEED)
      errors.seed = bad(`Seed must be a whole number from 0 to ${MAX_SEED}.`);
    else request.seed = seed;
  }
  if (values.priority.trim()) {
    const priority = parseInteger(values.priority);
    if (priority === null || priority < PRIORITY_RANGE.min || priority > PRIORITY_RANGE.max) {
      errors.priority = bad(
        `Priority must be a whole number from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}.`,
      );
    } else request.priority = priority;
  }

  if (values.kind === 'REFINE') {
    if (!(REFINEMENT_STRATEGIES as readonly string[]).includes(values.strategy)) {
      errors.strategy = bad('Choose a refinement strategy.');
    } else request.strategy = values.strategy;

    const maxIterations = parseInteger(values.maxIterations);
    if (maxIterations === null || maxIterations < 1 || maxIterations > REFINEMENT_LIMITS.maxIterations) {
      errors.maxIterations = bad(
        `Max iterations must be a whole number from 1 to ${REFINEMENT_LIMITS.maxIterations}.`,
      );
    } else request.maxIterations = maxIterations;

    const targetText = values.targetScore.trim();
    const targetScore = targetText ? Number(targetText) : Number.NaN;
    if (!Number.isFinite(targetScore) || targetScore <= 0 || targetScore > 1) {
      errors.targetScore = bad('Target score must be greater than 0 and at most 1.');
    } else request.targetScore = targetScore;
  }

  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, request };
}

/** One entry of a GraphQL error: `extensions.code`, and `extensions.field` for bad input. */
export interface ApiErrorEntry {
  message: string;
  code: string | null;
  extensions: Readonly<Record<string, unknown>>;
}

/**
 * Splits API errors into those that belong next to a form field (by `extensions.field`) and the
 * rest, shown above the form.
 */
export function apiFieldErrors(entries: readonly ApiErrorEntry[]): {
  fields: FieldErrors;
  other: ApiErrorEntry[];
} {
  const fields: FieldErrors = {};
  const other: ApiErrorEntry[] = [];
  for (const entry of entries) {
    const field = entry.extensions.field;
    if (typeof field === 'string' && (START_RUN_FIELDS as readonly string[]).includes(field)) {
      fields[field as StartRunField] = { code: entry.code ?? 'BAD_USER_INPUT', message: entry.message };
    } else other.push(entry);
  }
  return { fields, other };
}
