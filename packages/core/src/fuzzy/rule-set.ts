import { PakatiError } from '../errors.ts';
import { DEFAULT_VARIABLES } from './default-rules.ts';
import type { FuzzyVariables, LinguisticVariable } from './linguistic-variable.ts';
import { validateFuzzyVariables } from './linguistic-variable.ts';
import type { MembershipFunction } from './membership.ts';
import { parseRuleLines, parseRules, type RuleLimits } from './rule-parser.ts';
import type { RuleSet } from './rules.ts';

/** A variable as stored in a document: its name is the key it is listed under. */
export interface LinguisticVariableDocument {
  name?: string;
  range: [min: number, max: number];
  terms: Record<string, MembershipFunction>;
}

/** The JSON form of a rule set, e.g. as an organization stores it. */
export interface RuleSetDocument {
  version: 1;
  /** Added to the base variables (the defaults unless told otherwise); a variable of the same name replaces one. */
  variables?: {
    inputs?: Record<string, LinguisticVariableDocument>;
    outputs?: Record<string, LinguisticVariableDocument>;
  };
  /** One rule per entry, in the text syntax. */
  rules: string[];
}

export interface ParseRuleSetOptions {
  /** Variables the rules may use besides the document's own; DEFAULT_VARIABLES when left out. */
  base?: FuzzyVariables;
  limits?: Partial<RuleLimits>;
}

const DOCUMENT_KEYS: ReadonlySet<string> = new Set(['version', 'variables', 'rules']);

function invalid(reason: string, path: string, message: string): never {
  throw new PakatiError('INVALID_RULES', `${path}: ${message}`, { reason, path });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mergeGroup(
  base: Record<string, LinguisticVariable>,
  added: unknown,
  path: string,
): Record<string, unknown> {
  if (added === undefined) return { ...base };
  if (!isRecord(added)) invalid('INVALID_VARIABLE', path, 'must be an object of variables keyed by name');
  return { ...base, ...added };
}

function documentFrom(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch (error) {
    return invalid('INVALID_DOCUMENT', 'document', `is not valid JSON (${(error as Error).message})`);
  }
}

function fromDocument(value: unknown, options: ParseRuleSetOptions): RuleSet {
  if (!isRecord(value)) invalid('INVALID_DOCUMENT', 'document', 'must be an object with version and rules');
  for (const key of Object.keys(value)) {
    // Unknown keys are refused rather than ignored, so a misspelt `rule` cannot silently drop every rule.
    if (!DOCUMENT_KEYS.has(key)) invalid('INVALID_DOCUMENT', key, 'is not a rule set field');
  }
  if (value.version !== 1) invalid('UNSUPPORTED_VERSION', 'version', 'must be 1');
  const base = options.base ?? DEFAULT_VARIABLES;
  const variables = value.variables;
  if (variables !== undefined && !isRecord(variables)) {
    invalid('INVALID_VARIABLE', 'variables', 'must be an object with inputs and/or outputs');
  }
  if (variables) {
    for (const key of Object.keys(variables)) {
      if (key !== 'inputs' && key !== 'outputs')
        invalid('INVALID_VARIABLE', `variables.${key}`, 'is not inputs or outputs');
    }
  }
  const merged = validateFuzzyVariables({
    inputs: mergeGroup(base.inputs, variables?.inputs, 'variables.inputs'),
    outputs: mergeGroup(base.outputs, variables?.outputs, 'variables.outputs'),
  });

  const rules = value.rules;
  if (!Array.isArray(rules)) invalid('INVALID_DOCUMENT', 'rules', 'must be an array of rule strings');
  rules.forEach((rule, i) => {
    if (typeof rule !== 'string') invalid('INVALID_DOCUMENT', `rules[${i}]`, 'must be a string');
    if (/[\r\n]/.test(rule)) invalid('INVALID_DOCUMENT', `rules[${i}]`, 'must be a single line');
  });
  const parsed = parseRuleLines(rules as string[], merged, { limits: options.limits, arrayPath: 'rules' });
  return { ...merged, rules: parsed };
}

function fromText(text: string, options: ParseRuleSetOptions): RuleSet {
  const variables = validateFuzzyVariables(options.base ?? DEFAULT_VARIABLES);
  return { ...variables, rules: parseRules(text, variables, { limits: options.limits }) };
}

/**
 * Parses and validates a whole rule set: rule text (one rule per line, over the base variables), a
 * RuleSetDocument, or that document as a JSON string. Throws INVALID_RULES naming the position of the first
 * problem, before anything is returned, so a broken set never replaces a working one.
 */
export function parseRuleSet(input: RuleSetDocument | string, options: ParseRuleSetOptions = {}): RuleSet {
  // Rule text starts with IF or a comment, so a leading brace can only be a JSON document.
  const ruleSet =
    typeof input === 'string' && !input.trimStart().startsWith('{')
      ? fromText(input, options)
      : fromDocument(documentFrom(input), options);
  if (ruleSet.rules.length === 0) {
    throw new PakatiError('INVALID_RULES', 'The rule set has no rules', { reason: 'EMPTY_RULE_SET' });
  }
  return ruleSet;
}
