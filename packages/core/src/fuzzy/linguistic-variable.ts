import { PakatiError } from '../errors.ts';
import { type MembershipFunction, membership, validateMembershipFunction } from './membership.ts';
import { fuzzyNameProblem } from './names.ts';

export interface LinguisticVariable {
  name: string;
  /** The universe of discourse; inputs are clamped into it and outputs are defuzzified over it. */
  range: [min: number, max: number];
  terms: Record<string, MembershipFunction>;
}

/** The variables a rule set may mention: inputs only in antecedents, outputs only in consequents. */
export interface FuzzyVariables {
  inputs: Record<string, LinguisticVariable>;
  outputs: Record<string, LinguisticVariable>;
}

export const MAX_TERMS_PER_VARIABLE = 32;
export const MAX_FUZZY_VARIABLES = 64;

function invalid(path: string, message: string): never {
  throw new PakatiError('INVALID_RULES', `${path}: ${message}`, { path, reason: 'INVALID_VARIABLE' });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Clamps x into the variable's range, where its terms are defined. */
export function clampToUniverse(variable: LinguisticVariable, x: number): number {
  const [min, max] = variable.range;
  return Math.min(max, Math.max(min, x));
}

/**
 * Degree of every term for the crisp value x. Values outside the range are clamped first, so a delta that
 * overshoots by rounding still belongs to the shoulder term at that end.
 */
export function fuzzify(variable: LinguisticVariable, x: number): Record<string, number> {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new PakatiError('BAD_USER_INPUT', `${variable.name} must be a finite number`, {
      variable: variable.name,
      value: String(x),
    });
  }
  const v = clampToUniverse(variable, x);
  const degrees: Record<string, number> = {};
  for (const [term, fn] of Object.entries(variable.terms)) degrees[term] = membership(fn, v);
  return degrees;
}

/**
 * Checks a variable from outside and returns a clean copy. `name` may be left out when the caller knows it
 * from the key the variable was stored under; given, it must agree.
 */
export function validateLinguisticVariable(value: unknown, path: string, name?: string): LinguisticVariable {
  if (!isRecord(value)) invalid(path, 'must be an object with range and terms');
  const given = value.name;
  if (given !== undefined && typeof given !== 'string') invalid(`${path}.name`, 'must be a string');
  if (name !== undefined && given !== undefined && given !== name) {
    invalid(`${path}.name`, `is '${given}' but the variable is listed as '${name}'`);
  }
  const resolved = name ?? given;
  if (resolved === undefined) invalid(`${path}.name`, 'is required');
  const problem = fuzzyNameProblem(resolved);
  if (problem) invalid(path, `the variable name '${resolved}' ${problem}`);

  const range = value.range;
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((n) => typeof n === 'number' && Number.isFinite(n))
  ) {
    invalid(`${path}.range`, 'must be [min, max] with finite numbers');
  }
  const [min, max] = range as [number, number];
  if (!(min < max)) invalid(`${path}.range`, 'min must be less than max');

  if (!isRecord(value.terms)) invalid(`${path}.terms`, 'must be an object of membership functions');
  const entries = Object.entries(value.terms);
  if (entries.length === 0) invalid(`${path}.terms`, 'needs at least one term');
  if (entries.length > MAX_TERMS_PER_VARIABLE) {
    invalid(`${path}.terms`, `may have at most ${MAX_TERMS_PER_VARIABLE} terms`);
  }
  const terms: Record<string, MembershipFunction> = {};
  for (const [term, fn] of entries) {
    const termProblem = fuzzyNameProblem(term);
    if (termProblem) invalid(`${path}.terms.${term}`, `the term name '${term}' ${termProblem}`);
    terms[term] = validateMembershipFunction(fn, `${path}.terms.${term}`);
  }
  return { name: resolved, range: [min, max], terms };
}

function validateGroup(value: unknown, path: string): Record<string, LinguisticVariable> {
  if (!isRecord(value)) invalid(path, 'must be an object of variables keyed by name');
  const out: Record<string, LinguisticVariable> = {};
  for (const [key, variable] of Object.entries(value)) {
    out[key] = validateLinguisticVariable(variable, `${path}.${key}`, key);
  }
  return out;
}

/** Validates both groups and that no name is both an input and an output, which would make rules ambiguous. */
export function validateFuzzyVariables(value: unknown, path = 'variables'): FuzzyVariables {
  if (!isRecord(value)) invalid(path, 'must be an object with inputs and outputs');
  const inputs = validateGroup(value.inputs, `${path}.inputs`);
  const outputs = validateGroup(value.outputs, `${path}.outputs`);
  for (const name of Object.keys(outputs)) {
    if (Object.hasOwn(inputs, name))
      invalid(`${path}.outputs.${name}`, `'${name}' is also an input variable`);
  }
  if (Object.keys(inputs).length + Object.keys(outputs).length > MAX_FUZZY_VARIABLES) {
    invalid(path, `a rule set may define at most ${MAX_FUZZY_VARIABLES} variables`);
  }
  return { inputs, outputs };
}
