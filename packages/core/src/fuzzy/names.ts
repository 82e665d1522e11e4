import { isHedge } from './hedges.ts';

/** Words of the rule syntax; matched case-insensitively, so none of them can name a variable or a term. */
export const RULE_KEYWORDS = ['IF', 'IS', 'AND', 'OR', 'NOT', 'THEN', 'WITH'] as const;

const KEYWORDS: ReadonlySet<string> = new Set(RULE_KEYWORDS);
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_FUZZY_NAME_LENGTH = 64;

export function isRuleKeyword(word: string): boolean {
  return KEYWORDS.has(word.toUpperCase());
}

/** Why `name` cannot name a variable or a term in rule text, or null when it can. */
export function fuzzyNameProblem(name: string): string | null {
  if (!NAME_PATTERN.test(name)) return 'must start with a letter or _ and contain only letters, digits and _';
  if (name.length > MAX_FUZZY_NAME_LENGTH) return `must be at most ${MAX_FUZZY_NAME_LENGTH} characters`;
  if (isRuleKeyword(name)) return 'is a rule keyword';
  // A term after a hedge would be ambiguous: in `IS very dark`, is `very` a hedge or the term?
  if (isHedge(name)) return 'is a hedge';
  // Names become keys of plain objects; this one would replace the prototype instead.
  if (name === '__proto__') return 'is reserved';
  return null;
}
