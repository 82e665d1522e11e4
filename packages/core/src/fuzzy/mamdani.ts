import { PakatiError } from '../errors.ts';
import {
  aggregateOutput,
  assertDefuzzifySamples,
  DEFAULT_DEFUZZIFY_SAMPLES,
  DEFUZZIFIERS,
  type Defuzzifier,
  defuzzify,
} from './defuzzify.ts';
import { applyHedges } from './hedges.ts';
import { fuzzify } from './linguistic-variable.ts';
import type { Antecedent, Consequent, RuleSet } from './rules.ts';

export interface MamdaniOptions {
  /** Samples of each output's range; 101 by default. */
  samples?: number;
  defuzzifier?: Defuzzifier;
}

/** Crisp input values by variable name; null or undefined means the analyzer could not measure it. */
export type FuzzyInputs = Readonly<Record<string, number | null | undefined>>;

export interface FiredRule {
  ruleIndex: number;
  line: number;
  text: string;
  /** Antecedent strength × weight: the height the consequent's set was clipped at. */
  degree: number;
  strength: number;
  weight: number;
  consequent: Consequent;
}

export interface FuzzyOutput {
  /** Null when nothing fired for this output: the caller decides, no neutral value is made up. */
  value: number | null;
  /** Rules that fired for this output, strongest first. */
  fired: FiredRule[];
}

export interface MamdaniResult {
  outputs: Record<string, FuzzyOutput>;
  /** Inputs some rule reads but that were not given; those rules did not fire. */
  missingInputs: string[];
}

function invalidRule(message: string, details: Record<string, unknown>): never {
  throw new PakatiError('INVALID_RULES', message, { reason: 'INCONSISTENT_RULE_SET', ...details });
}

/**
 * Degree of an antecedent, or null when it reads an input that was not given. Such a rule does not fire at
 * all: treating the input as 0 would make every `NOT` over it fully true.
 */
function strengthOf(
  node: Antecedent,
  degrees: ReadonlyMap<string, Record<string, number>>,
  missing: Set<string>,
): number | null {
  switch (node.kind) {
    case 'clause': {
      const terms = degrees.get(node.variable);
      if (!terms) {
        missing.add(node.variable);
        return null;
      }
      const mu = terms[node.term];
      if (mu === undefined) invalidRule(`'${node.variable}' has no term '${node.term}'`, { ...node });
      return applyHedges(node.hedges, mu);
    }
    case 'not': {
      const d = strengthOf(node.operand, degrees, missing);
      return d === null ? null : 1 - d;
    }
    case 'and':
    case 'or': {
      // Every operand is visited, so missingInputs lists all unmeasured inputs, not just the first.
      let result: number | null = node.kind === 'and' ? 1 : 0;
      for (const operand of node.operands) {
        const d = strengthOf(operand, degrees, missing);
        if (d === null) result = null;
        else if (result !== null) result = node.kind === 'and' ? Math.min(result, d) : Math.max(result, d);
      }
      return result;
    }
  }
}

function byDegree(a: FiredRule, b: FiredRule): number {
  return b.degree - a.degree || a.ruleIndex - b.ruleIndex;
}

/**
 * Mamdani inference: AND = min, OR = max, NOT and hedges on degrees, implication clips each consequent at
 * strength × weight, aggregation is max per output, then defuzzification. Every output of the rule set is
 * reported, with the rules that moved it.
 */
export function inferMamdani(
  ruleSet: RuleSet,
  inputs: FuzzyInputs,
  options: MamdaniOptions = {},
): MamdaniResult {
  const samples = options.samples ?? DEFAULT_DEFUZZIFY_SAMPLES;
  const method = options.defuzzifier ?? 'centroid';
  assertDefuzzifySamples(samples);
  if (!DEFUZZIFIERS.includes(method)) {
    throw new PakatiError('BAD_USER_INPUT', `defuzzifier must be one of ${DEFUZZIFIERS.join(', ')}`, {
      defuzzifier: method,
    });
  }

  const degrees = new Map<string, Record<string, number>>();
  for (const name of Object.keys(inputs).sort()) {
    const value = inputs[name];
    if (value === null || value === undefined) continue;
    if (!Object.hasOwn(ruleSet.inputs, name)) {
      throw new PakatiError('BAD_USER_INPUT', `'${name}' is not an input variable of this rule set`, {
        variable: name,
      });
    }
    degrees.set(name, fuzzify(ruleSet.inputs[name]!, value));
  }

  const fired = new Map<string, FiredRule[]>(Object.keys(ruleSet.outputs).map((name) => [name, []]));
  const missing = new Set<string>();
  for (const rule of ruleSet.rules) {
    const strength = strengthOf(rule.antecedent, degrees, missing);
    if (strength === null) continue;
    const degree = strength * rule.weight;
    if (!(degree > 0)) continue;
    for (const consequent of rule.consequents) {
      const list = fired.get(consequent.variable);
      if (!list) invalidRule(`'${consequent.variable}' is not an output variable`, { ruleIndex: rule.index });
      const { index: ruleIndex, line, text, weight } = rule;
      list.push({ ruleIndex, line, text, degree, strength, weight, consequent: { ...consequent } });
    }
  }

  const outputs: Record<string, FuzzyOutput> = {};
  for (const [name, list] of fired) {
    list.sort(byDegree);
    const clips = new Map<string, number>();
    for (const f of list) clips.set(f.consequent.term, Math.max(clips.get(f.consequent.term) ?? 0, f.degree));
    const value =
      list.length === 0 ? null : defuzzify(aggregateOutput(ruleSet.outputs[name]!, clips, samples), method);
    outputs[name] = { value, fired: list };
  }
  return { outputs, missingInputs: [...missing].sort() };
}
