import type { DeltaReport } from '../analysis/delta.ts';
import { inferMamdani, type MamdaniResult } from '../fuzzy/mamdani.ts';
import type { RuleSet } from '../fuzzy/rules.ts';

/**
 * Runs a rule set over one region's measurements. The region's score is its `satisfaction`, as in the original;
 * measurements the rule set does not declare are left out, so an organisation's rule set may read fewer of them.
 */
export function inferRegion(ruleSet: RuleSet, report: DeltaReport, score: number): MamdaniResult {
  const measured: Record<string, number | null> = { ...report, satisfaction: score };
  const inputs = Object.fromEntries(
    Object.entries(measured).filter(([name]) => Object.hasOwn(ruleSet.inputs, name)),
  );
  return inferMamdani(ruleSet, inputs);
}
