import type { Hedge } from './hedges.ts';
import type { FuzzyVariables } from './linguistic-variable.ts';

/** `variable IS [hedges] term`; hedges are kept in reading order and applied nearest-the-term first. */
export interface ClauseAntecedent {
  kind: 'clause';
  variable: string;
  hedges: Hedge[];
  term: string;
}

export type Antecedent =
  | ClauseAntecedent
  | { kind: 'not'; operand: Antecedent }
  | { kind: 'and'; operands: Antecedent[] }
  | { kind: 'or'; operands: Antecedent[] };

export interface Consequent {
  variable: string;
  term: string;
}

export interface Rule {
  /** Position among the rules of its set, counting from 0; blank and comment lines do not count. */
  index: number;
  /** Source line, counting from 1, so an explanation can point back at the text a user wrote. */
  line: number;
  /** The rule as written, without its comment. */
  text: string;
  antecedent: Antecedent;
  consequents: Consequent[];
  /** In [0, 1]; scales the antecedent's strength before implication. */
  weight: number;
}

/** A parsed, validated rule set: everything inference needs, nothing it has to check again. */
export interface RuleSet extends FuzzyVariables {
  rules: Rule[];
}

function formatAntecedent(node: Antecedent, parent: 'and' | 'or' | 'not' | null): string {
  switch (node.kind) {
    case 'clause':
      return [node.variable, 'IS', ...node.hedges, node.term].join(' ');
    case 'not':
      return `NOT ${formatAntecedent(node.operand, 'not')}`;
    case 'and':
    case 'or': {
      const text = node.operands
        .map((o) => formatAntecedent(o, node.kind))
        .join(` ${node.kind.toUpperCase()} `);
      // AND binds tighter than OR, so only an OR inside an AND, or anything compound under NOT, needs brackets.
      const needsParens = parent === 'not' || (parent === 'and' && node.kind === 'or');
      return needsParens ? `(${text})` : text;
    }
  }
}

/** Canonical text of a rule; parsing it gives the same rule back. */
export function formatRule(rule: Pick<Rule, 'antecedent' | 'consequents' | 'weight'>): string {
  const consequents = rule.consequents.map((c) => `${c.variable} IS ${c.term}`).join(' AND ');
  const weight = rule.weight === 1 ? '' : ` WITH ${rule.weight}`;
  return `IF ${formatAntecedent(rule.antecedent, null)} THEN ${consequents}${weight}`;
}

/** Input variables a rule's antecedent reads, each once, in order of first mention. */
export function antecedentVariables(node: Antecedent): string[] {
  const seen = new Set<string>();
  const walk = (n: Antecedent): void => {
    if (n.kind === 'clause') seen.add(n.variable);
    else if (n.kind === 'not') walk(n.operand);
    else for (const o of n.operands) walk(o);
  };
  walk(node);
  return [...seen];
}
