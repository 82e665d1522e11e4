import type { FuzzyOutput, MamdaniResult } from './mamdani.ts';

export interface ExplainInferenceOptions {
  /** Decimal places for values and degrees; 2 by default. */
  digits?: number;
}

/** One output and the rules behind it, strongest first, each pointing at its line in the rule text. */
export function explainFuzzyOutput(
  name: string,
  output: FuzzyOutput,
  options: ExplainInferenceOptions = {},
): string {
  const digits = options.digits ?? 2;
  const head =
    output.value !== null
      ? `${name} = ${output.value.toFixed(digits)}`
      : output.fired.length === 0
        ? `${name}: no rule fired`
        : `${name}: no value (the fired sets are empty over the sampled range)`;
  const reasons = output.fired.map(
    (f) => `  ${f.degree.toFixed(digits)}  line ${f.line}: ${f.text}  -> ${f.consequent.term}`,
  );
  return [head, ...reasons].join('\n');
}

/** A readable account of a whole inference, for logs and for users asking why an action was chosen. */
export function explainInference(result: MamdaniResult, options: ExplainInferenceOptions = {}): string {
  const parts = Object.entries(result.outputs).map(([name, output]) =>
    explainFuzzyOutput(name, output, options),
  );
  if (result.missingInputs.length > 0) {
    parts.push(`not measured (rules reading them did not fire): ${result.missingInputs.join(', ')}`);
  }
  return parts.join('\n');
}
