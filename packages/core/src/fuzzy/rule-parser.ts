import { PakatiError } from '../errors.ts';
import { HEDGE_NAMES, type Hedge, isHedge } from './hedges.ts';
import {
  type FuzzyVariables,
  type LinguisticVariable,
  validateFuzzyVariables,
} from './linguistic-variable.ts';
import { isRuleKeyword } from './names.ts';
import type { Antecedent, Consequent, Rule } from './rules.ts';

/** Why a rule was refused; stable, so clients can react without parsing messages. */
export type RuleErrorReason =
  | 'SYNTAX'
  | 'UNEXPECTED_END'
  | 'INVALID_CHARACTER'
  | 'UNKNOWN_VARIABLE'
  | 'UNKNOWN_TERM'
  | 'UNKNOWN_HEDGE'
  | 'MISSING_TERM'
  | 'OUTPUT_IN_ANTECEDENT'
  | 'INPUT_IN_CONSEQUENT'
  | 'HEDGE_IN_CONSEQUENT'
  | 'DUPLICATE_CONSEQUENT'
  | 'WEIGHT_OUT_OF_RANGE'
  | 'TOO_DEEP'
  | 'TOO_MANY_RULES'
  | 'LINE_TOO_LONG';

/** Bounds on rule text, which comes from users: a set stays small enough to explain and cheap to evaluate. */
export interface RuleLimits {
  maxRules: number;
  maxLineLength: number;
  /** Nesting of parentheses and NOT. */
  maxDepth: number;
}

export const DEFAULT_RULE_LIMITS: Readonly<RuleLimits> = { maxRules: 500, maxLineLength: 1000, maxDepth: 16 };

export interface ParseRulesOptions {
  limits?: Partial<RuleLimits>;
  /**
   * Set when the lines are the entries of a document's array (e.g. 'rules'): messages then say `rules[2]`
   * and the error details carry that path as well as the line, which is still the entry's position from 1.
   */
  arrayPath?: string;
}

interface Token {
  kind: 'word' | 'number' | '(' | ')' | 'end';
  text: string;
  /** From 1. */
  column: number;
}

interface LineContext {
  line: number;
  label: string;
  path: string | undefined;
}

function fail(ctx: LineContext, token: Token, reason: RuleErrorReason, message: string): never {
  const where = token.kind === 'end' ? 'end of rule' : `'${token.text}'`;
  throw new PakatiError('INVALID_RULES', `${ctx.label}, column ${token.column} (${where}): ${message}`, {
    line: ctx.line,
    column: token.column,
    token: token.text,
    reason,
    ...(ctx.path === undefined ? {} : { path: ctx.path }),
  });
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

/** Splits one line into tokens; a `#` starts a comment that runs to the end of the line. */
function tokenize(source: string, ctx: LineContext): { tokens: Token[]; text: string } {
  const tokens: Token[] = [];
  let i = 0;
  let end = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') break;
    if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch, text: ch, column: i + 1 });
      i++;
      end = i;
      continue;
    }
    WORD.lastIndex = i;
    NUMBER.lastIndex = i;
    const word = WORD.exec(source);
    const number = word ? null : NUMBER.exec(source);
    const match = word ?? number;
    if (!match) {
      fail(
        ctx,
        { kind: 'word', text: ch, column: i + 1 },
        'INVALID_CHARACTER',
        `unexpected character '${ch}'`,
      );
    }
    tokens.push({ kind: word ? 'word' : 'number', text: match[0], column: i + 1 });
    i += match[0].length;
    end = i;
  }
  tokens.push({ kind: 'end', text: '', column: end + 1 });
  return { tokens, text: source.slice(0, end).trim() };
}

function known(names: readonly string[]): string {
  const shown = names.slice(0, 12).join(', ');
  return names.length > 12 ? `${shown}, …` : shown;
}

function suggestion(word: string, names: readonly string[]): string {
  const near = names.find((n) => n.toLowerCase() === word.toLowerCase());
  return near ? `did you mean '${near}'?` : `known: ${known(names)}`;
}

/** Words that end a clause's hedge-and-term run; NOT is absent on purpose, since after IS it is a hedge. */
const CLAUSE_ENDERS: ReadonlySet<string> = new Set(['AND', 'OR', 'THEN', 'WITH', 'IF', 'IS']);

/**
 * Recursive descent over one line:
 *   rule        := IF disjunction THEN consequent (AND consequent)* [WITH number]
 *   disjunction := conjunction (OR conjunction)*
 *   conjunction := unary (AND unary)*
 *   unary       := NOT unary | '(' disjunction ')' | clause
 *   clause      := input IS hedge* term
 *   consequent  := output IS term
 */
class LineParser {
  private pos = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly ctx: LineContext,
    private readonly variables: FuzzyVariables,
    private readonly maxDepth: number,
  ) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const token = this.tokens[this.pos]!;
    if (token.kind !== 'end') this.pos++;
    return token;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toUpperCase() === keyword;
  }

  private fail(token: Token, reason: RuleErrorReason, message: string): never {
    return fail(
      this.ctx,
      token,
      token.kind === 'end' && reason === 'SYNTAX' ? 'UNEXPECTED_END' : reason,
      message,
    );
  }

  parse(): Pick<Rule, 'antecedent' | 'consequents' | 'weight'> {
    const first = this.next();
    if (!this.isKeyword(first, 'IF')) this.fail(first, 'SYNTAX', 'a rule starts with IF');
    const antecedent = this.parseOr(0);
    const then = this.next();
    if (!this.isKeyword(then, 'THEN')) this.fail(then, 'SYNTAX', 'expected AND, OR or THEN');

    const consequents = [this.parseConsequent([])];
    while (this.isKeyword(this.peek(), 'AND')) {
      this.next();
      consequents.push(this.parseConsequent(consequents));
    }

    let weight = 1;
    if (this.isKeyword(this.peek(), 'WITH')) {
      this.next();
      const token = this.next();
      if (token.kind !== 'number') this.fail(token, 'SYNTAX', 'expected a weight between 0 and 1 after WITH');
      weight = Number(token.text);
      if (!(weight >= 0 && weight <= 1)) {
        this.fail(token, 'WEIGHT_OUT_OF_RANGE', `the weight ${token.text} is outside 0..1`);
      }
    }

    const rest = this.peek();
    if (rest.kind !== 'end') {
      if (this.isKeyword(rest, 'OR')) this.fail(rest, 'SYNTAX', 'consequents are joined with AND, not OR');
      this.fail(rest, 'SYNTAX', 'expected AND, WITH or the end of the rule');
    }
    return { antecedent, consequents, weight };
  }

  private parseOr(depth: number): Antecedent {
    const operands = [this.parseAnd(depth)];
    while (this.isKeyword(this.peek(), 'OR')) {
      this.next();
      operands.push(this.parseAnd(depth));
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private parseAnd(depth: number): Antecedent {
    const operands = [this.parseUnary(depth)];
    while (this.isKeyword(this.peek(), 'AND')) {
      this.next();
      operands.push(this.parseUnary(depth));
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private parseUnary(depth: number): Antecedent {
    const token = this.peek();
    if (depth >= this.maxDepth) {
      this.fail(token, 'TOO_DEEP', `parentheses and NOT may nest at most ${this.maxDepth} deep`);
    }
    if (this.isKeyword(token, 'NOT')) {
      this.next();
      return { kind: 'not', operand: this.parseUnary(depth + 1) };
    }
    if (token.kind === '(') {
      this.next();
      const inner = this.parseOr(depth + 1);
      const close = this.next();
      if (close.kind !== ')') {
        this.fail(close, 'SYNTAX', `expected AND, OR or ')' to close the '(' at column ${token.column}`);
      }
      return inner;
    }
    return this.parseClause();
  }

  private variableName(token: Token, role: string): string {
    if (token.kind !== 'word' || isRuleKeyword(token.text)) {
      this.fail(token, 'SYNTAX', `expected ${role} variable name`);
    }
    return token.text;
  }

  private expectIs(variable: string): void {
    const token = this.next();
    if (!this.isKeyword(token, 'IS')) this.fail(token, 'SYNTAX', `expected IS after '${variable}'`);
  }

  private parseClause(): Antecedent {
    const nameToken = this.next();
    const name = this.variableName(nameToken, 'an input');
    const { inputs, outputs } = this.variables;
    if (!Object.hasOwn(inputs, name)) {
      if (Object.hasOwn(outputs, name)) {
        this.fail(
          nameToken,
          'OUTPUT_IN_ANTECEDENT',
          `'${name}' is an output variable; it can only follow THEN`,
        );
      }
      this.fail(
        nameToken,
        'UNKNOWN_VARIABLE',
        `unknown input variable '${name}'; ${suggestion(name, Object.keys(inputs))}`,
      );
    }
    const variable = inputs[name]!;
    this.expectIs(name);

    const words: Token[] = [];
    for (
      let t = this.peek();
      t.kind === 'word' && !CLAUSE_ENDERS.has(t.text.toUpperCase());
      t = this.peek()
    ) {
      words.push(this.next());
    }
    if (words.length === 0) this.fail(this.peek(), 'MISSING_TERM', `expected a term of '${name}' after IS`);

    const hedges: Hedge[] = [];
    for (let i = 0; i < words.length - 1; i++) {
      const word = words[i]!;
      if (isHedge(word.text)) {
        hedges.push(word.text.toLowerCase() as Hedge);
      } else if (Object.hasOwn(variable.terms, word.text)) {
        // A term followed by more words: most likely a missing AND or OR, not a misspelt hedge.
        this.fail(words[i + 1]!, 'SYNTAX', `expected AND, OR or THEN after the term '${word.text}'`);
      } else {
        this.fail(word, 'UNKNOWN_HEDGE', `unknown hedge '${word.text}'; known: ${HEDGE_NAMES.join(', ')}`);
      }
    }
    const termToken = words[words.length - 1]!;
    return { kind: 'clause', variable: name, hedges, term: this.term(termToken, variable, true) };
  }

  private term(token: Token, variable: LinguisticVariable, afterHedges: boolean): string {
    if (Object.hasOwn(variable.terms, token.text)) return token.text;
    const terms = Object.keys(variable.terms);
    if (afterHedges && isHedge(token.text)) {
      this.fail(
        this.peek(),
        'MISSING_TERM',
        `expected a term of '${variable.name}' after the hedge '${token.text}'`,
      );
    }
    this.fail(
      token,
      'UNKNOWN_TERM',
      `unknown term '${token.text}' of '${variable.name}'; ${suggestion(token.text, terms)}`,
    );
  }

  private parseConsequent(previous: readonly Consequent[]): Consequent {
    const nameToken = this.next();
    const name = this.variableName(nameToken, 'an output');
    const { inputs, outputs } = this.variables;
    if (!Object.hasOwn(outputs, name)) {
      if (Object.hasOwn(inputs, name)) {
        this.fail(
          nameToken,
          'INPUT_IN_CONSEQUENT',
          `'${name}' is an input variable; a rule can only conclude outputs`,
        );
      }
      this.fail(
        nameToken,
        'UNKNOWN_VARIABLE',
        `unknown output variable '${name}'; ${suggestion(name, Object.keys(outputs))}`,
      );
    }
    if (previous.some((c) => c.variable === name)) {
      this.fail(nameToken, 'DUPLICATE_CONSEQUENT', `the rule already concludes '${name}'`);
    }
    const variable = outputs[name]!;
    this.expectIs(name);
    const termToken = this.next();
    const following = this.peek();
    if (
      termToken.kind === 'word' &&
      isHedge(termToken.text) &&
      following.kind === 'word' &&
      !isRuleKeyword(following.text)
    ) {
      this.fail(termToken, 'HEDGE_IN_CONSEQUENT', 'hedges are only allowed before THEN');
    }
    if (termToken.kind !== 'word' || isRuleKeyword(termToken.text)) {
      this.fail(termToken, 'MISSING_TERM', `expected a term of '${name}' after IS`);
    }
    return { variable: name, term: this.term(termToken, variable, false) };
  }
}

/**
 * Parses rules given as separate lines. Nothing is returned unless every line is valid, so a caller never
 * swaps a working rule set for half of a broken one.
 */
export function parseRuleLines(
  lines: readonly string[],
  variables: FuzzyVariables,
  options: ParseRulesOptions = {},
): Rule[] {
  const limits = { ...DEFAULT_RULE_LIMITS, ...options.limits };
  const vars = validateFuzzyVariables(variables);
  const rules: Rule[] = [];
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!;
    const path = options.arrayPath === undefined ? undefined : `${options.arrayPath}[${i}]`;
    const ctx: LineContext = { line: i + 1, label: path ?? `Line ${i + 1}`, path };
    if (source.length > limits.maxLineLength) {
      const token: Token = {
        kind: 'word',
        text: source.slice(limits.maxLineLength, limits.maxLineLength + 10),
        column: limits.maxLineLength + 1,
      };
      fail(ctx, token, 'LINE_TOO_LONG', `a rule may be at most ${limits.maxLineLength} characters long`);
    }
    const { tokens, text } = tokenize(source, ctx);
    if (tokens.length === 1) continue;
    if (rules.length >= limits.maxRules) {
      fail(ctx, tokens[0]!, 'TOO_MANY_RULES', `a rule set may have at most ${limits.maxRules} rules`);
    }
    const parsed = new LineParser(tokens, ctx, vars, limits.maxDepth).parse();
    rules.push({ index: rules.length, line: i + 1, text, ...parsed });
  }
  return rules;
}

/** Parses rule text, one rule per line; blank lines and `#` comments are skipped. */
export function parseRules(text: string, variables: FuzzyVariables, options: ParseRulesOptions = {}): Rule[] {
  if (typeof text !== 'string') {
    throw new PakatiError('INVALID_RULES', 'Rule text must be a string', { reason: 'INVALID_DOCUMENT' });
  }
  return parseRuleLines(text.split(/\r\n|\r|\n/), variables, options);
}
