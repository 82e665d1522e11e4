import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RULE_TEXT,
  DEFAULT_VARIABLES,
  type FuzzyVariables,
  formatRule,
  PakatiError,
  parseRuleSet,
  parseRules,
  type RuleSetDocument,
  triangularSet,
} from '../src/index.ts';

const vars = DEFAULT_VARIABLES;

function errorOf(fn: () => unknown): PakatiError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PakatiError);
    return error as PakatiError;
  }
  throw new Error('expected a PakatiError');
}

/** Parses one bad line and checks the reason, and that the column points at `at` (first or last occurrence). */
function rejects(line: string, reason: string, at: string | null, lineNo = 1, last = false): PakatiError {
  const text = `${'# filler\n'.repeat(lineNo - 1)}${line}`;
  const e = errorOf(() => parseRules(text, vars));
  expect(e.code).toBe('INVALID_RULES');
  expect(e.details.reason).toBe(reason);
  expect(e.details.line).toBe(lineNo);
  if (at === null) {
    expect(e.details.token).toBe('');
    expect(e.details.column).toBe(line.split('#')[0]!.trimEnd().length + 1);
  } else {
    expect(e.details.token).toBe(at);
    expect(e.details.column).toBe((last ? line.lastIndexOf(at) : line.indexOf(at)) + 1);
  }
  expect(e.message).toContain(`Line ${lineNo}, column ${e.details.column}`);
  return e;
}

describe('rule parser: valid rules', () => {
  it('parses a rule with hedges, NOT, several consequents and a weight', () => {
    const [rule] = parseRules(
      'IF brightness_delta IS very much_higher AND contrast_delta IS NOT much_lower THEN brightness_adjust IS increase_strong AND contrast_adjust IS increase WITH 0.9',
      vars,
    );
    expect(rule).toEqual({
      index: 0,
      line: 1,
      text: 'IF brightness_delta IS very much_higher AND contrast_delta IS NOT much_lower THEN brightness_adjust IS increase_strong AND contrast_adjust IS increase WITH 0.9',
      antecedent: {
        kind: 'and',
        operands: [
          { kind: 'clause', variable: 'brightness_delta', hedges: ['very'], term: 'much_higher' },
          { kind: 'clause', variable: 'contrast_delta', hedges: ['not'], term: 'much_lower' },
        ],
      },
      consequents: [
        { variable: 'brightness_adjust', term: 'increase_strong' },
        { variable: 'contrast_adjust', term: 'increase' },
      ],
      weight: 0.9,
    });
  });

  it('binds AND tighter than OR', () => {
    const [rule] = parseRules(
      'IF color_distance IS high OR texture_distance IS high AND structure_distance IS low THEN inpaint IS medium',
      vars,
    );
    expect(rule!.antecedent).toEqual({
      kind: 'or',
      operands: [
        { kind: 'clause', variable: 'color_distance', hedges: [], term: 'high' },
        {
          kind: 'and',
          operands: [
            { kind: 'clause', variable: 'texture_distance', hedges: [], term: 'high' },
            { kind: 'clause', variable: 'structure_distance', hedges: [], term: 'low' },
          ],
        },
      ],
    });
    expect(rule!.weight).toBe(1);
  });

  it('honours parentheses and keyword NOT over a group', () => {
    const [a, b] = parseRules(
      [
        'IF (color_distance IS high OR texture_distance IS high) AND structure_distance IS low THEN inpaint IS medium',
        'IF NOT (satisfaction IS fully OR satisfaction IS mostly) THEN regenerate IS light',
      ].join('\n'),
      vars,
    );
    expect(a!.antecedent).toMatchObject({
      kind: 'and',
      operands: [{ kind: 'or' }, { kind: 'clause', variable: 'structure_distance' }],
    });
    expect(b!.antecedent).toEqual({
      kind: 'not',
      operand: {
        kind: 'or',
        operands: [
          { kind: 'clause', variable: 'satisfaction', hedges: [], term: 'fully' },
          { kind: 'clause', variable: 'satisfaction', hedges: [], term: 'mostly' },
        ],
      },
    });
  });

  it('keeps stacked hedges in reading order, case-insensitively', () => {
    const [rule] = parseRules('if satisfaction is Not Very mostly then regenerate is none with .5', vars);
    expect(rule!.antecedent).toEqual({
      kind: 'clause',
      variable: 'satisfaction',
      hedges: ['not', 'very'],
      term: 'mostly',
    });
    expect(rule!.weight).toBe(0.5);
  });

  it('skips comments and blank lines, numbers rules and lines, handles CRLF', () => {
    const text =
      '# header\r\n\r\nIF color_distance IS low THEN color_transfer IS none # trailing\r\n   \r\nIF color_distance IS high THEN color_transfer IS medium WITH 0\r\n';
    const rules = parseRules(text, vars);
    expect(rules.map((r) => [r.index, r.line, r.weight])).toEqual([
      [0, 3, 1],
      [1, 5, 0],
    ]);
    expect(rules[0]!.text).toBe('IF color_distance IS low THEN color_transfer IS none');
    expect(parseRules('# only a comment\n\n', vars)).toEqual([]);
  });

  it('accepts weights at both ends of 0..1 and in exponent form', () => {
    for (const [w, expected] of [
      ['0', 0],
      ['1', 1],
      ['1.0', 1],
      ['0.25', 0.25],
      ['5e-1', 0.5],
    ] as const) {
      const [rule] = parseRules(`IF color_distance IS low THEN color_transfer IS none WITH ${w}`, vars);
      expect(rule!.weight).toBe(expected);
    }
  });

  it('parses the default set, and each rule round-trips through its canonical text', () => {
    const rules = parseRules(DEFAULT_RULE_TEXT, vars);
    expect(rules.length).toBeGreaterThanOrEqual(20);
    for (const rule of rules) {
      const [again] = parseRules(formatRule(rule), vars);
      expect(again!.antecedent).toEqual(rule.antecedent);
      expect(again!.consequents).toEqual(rule.consequents);
      expect(again!.weight).toBe(rule.weight);
    }
    const nested = parseRules(
      'IF NOT (color_distance IS low AND (texture_distance IS high OR NOT satisfaction IS fully)) THEN inpaint IS light',
      vars,
    )[0]!;
    expect(parseRules(formatRule(nested), vars)[0]!.antecedent).toEqual(nested.antecedent);
  });
});

describe('rule parser: invalid rules name the position', () => {
  it('unknown variables, with a hint', () => {
    const e = rejects('IF brightnes_delta IS ok THEN sharpen IS none', 'UNKNOWN_VARIABLE', 'brightnes_delta');
    expect(e.message).toContain('brightness_delta');
    rejects('IF color_distance IS low THEN colour_transfer IS none', 'UNKNOWN_VARIABLE', 'colour_transfer');
    const hinted = rejects(
      'IF Satisfaction IS fully THEN regenerate IS none',
      'UNKNOWN_VARIABLE',
      'Satisfaction',
    );
    expect(hinted.message).toContain("did you mean 'satisfaction'");
  });

  it('unknown terms, in antecedent and consequent', () => {
    rejects('IF brightness_delta IS purple THEN sharpen IS none', 'UNKNOWN_TERM', 'purple');
    rejects('IF brightness_delta IS very purple THEN sharpen IS none', 'UNKNOWN_TERM', 'purple');
    rejects('IF brightness_delta IS ok THEN sharpen IS high', 'UNKNOWN_TERM', 'high');
  });

  it('unknown hedges', () => {
    rejects('IF brightness_delta IS really ok THEN sharpen IS none', 'UNKNOWN_HEDGE', 'really');
    rejects('IF brightness_delta IS very truly ok THEN sharpen IS none', 'UNKNOWN_HEDGE', 'truly');
  });

  it('malformed syntax', () => {
    rejects('brightness_delta IS ok THEN sharpen IS none', 'SYNTAX', 'brightness_delta');
    rejects('IF brightness_delta IS ok sharpen IS none', 'SYNTAX', 'sharpen');
    rejects('IF brightness_delta ok THEN sharpen IS none', 'SYNTAX', 'ok');
    rejects('IF (brightness_delta IS ok THEN sharpen IS none', 'SYNTAX', 'THEN');
    rejects('IF brightness_delta IS ok) THEN sharpen IS none', 'SYNTAX', ')');
    rejects('IF brightness_delta IS ok THEN sharpen IS none OR inpaint IS none', 'SYNTAX', 'OR');
    rejects('IF brightness_delta IS ok THEN sharpen IS none WITH strong', 'SYNTAX', 'strong');
    rejects('IF brightness_delta IS ok THEN sharpen IS none WITH 0.5 extra', 'SYNTAX', 'extra');
    rejects('IF brightness_delta IS ok AND THEN sharpen IS none', 'SYNTAX', 'THEN');
    rejects(
      'IF brightness_delta IS ok && contrast_delta IS ok THEN sharpen IS none',
      'INVALID_CHARACTER',
      '&',
    );
  });

  it('rules that stop early', () => {
    rejects('IF brightness_delta IS ok THEN', 'UNEXPECTED_END', null);
    rejects('IF brightness_delta IS ok', 'UNEXPECTED_END', null);
    rejects('IF brightness_delta IS ok THEN sharpen IS none WITH', 'UNEXPECTED_END', null);
    rejects('IF brightness_delta IS  ', 'MISSING_TERM', null);
    rejects('IF brightness_delta IS very THEN sharpen IS none', 'MISSING_TERM', 'THEN');
    rejects('IF brightness_delta IS ok THEN sharpen IS # comment', 'MISSING_TERM', null);
  });

  it('weights out of range', () => {
    rejects('IF brightness_delta IS ok THEN sharpen IS none WITH 1.5', 'WEIGHT_OUT_OF_RANGE', '1.5');
    rejects('IF brightness_delta IS ok THEN sharpen IS none WITH -0.2', 'WEIGHT_OUT_OF_RANGE', '-0.2');
    rejects('IF brightness_delta IS ok THEN sharpen IS none WITH 2e3', 'WEIGHT_OUT_OF_RANGE', '2e3');
  });

  it('variables on the wrong side of THEN', () => {
    rejects('IF sharpen IS none THEN inpaint IS none', 'OUTPUT_IN_ANTECEDENT', 'sharpen');
    rejects(
      'IF brightness_delta IS ok AND regenerate IS strong THEN inpaint IS none',
      'OUTPUT_IN_ANTECEDENT',
      'regenerate',
    );
    rejects('IF brightness_delta IS ok THEN contrast_delta IS ok', 'INPUT_IN_CONSEQUENT', 'contrast_delta');
  });

  it('hedges and duplicates in consequents', () => {
    rejects('IF brightness_delta IS ok THEN sharpen IS very strong', 'HEDGE_IN_CONSEQUENT', 'very');
    rejects('IF brightness_delta IS ok THEN sharpen IS not strong', 'HEDGE_IN_CONSEQUENT', 'not');
    rejects(
      'IF brightness_delta IS ok THEN sharpen IS none AND sharpen IS light',
      'DUPLICATE_CONSEQUENT',
      'sharpen',
      1,
      true,
    );
  });

  it('reports the right line among several', () => {
    const text = `# comment\n\nIF color_distance IS low THEN color_transfer IS none\nIF color_distance IS lo THEN color_transfer IS none`;
    const e = errorOf(() => parseRules(text, vars));
    expect(e.details).toMatchObject({ line: 4, column: 22, token: 'lo', reason: 'UNKNOWN_TERM' });
    rejects('IF color_distance IS low THEN color_transfer IS nothing', 'UNKNOWN_TERM', 'nothing', 7);
  });

  it('enforces limits on nesting, rule count and line length', () => {
    const deep = `IF ${'('.repeat(20)}color_distance IS low${')'.repeat(20)} THEN inpaint IS none`;
    const e = errorOf(() => parseRules(deep, vars));
    expect(e.details).toMatchObject({ reason: 'TOO_DEEP', line: 1, column: 20, token: '(' });
    expect(parseRules(deep, vars, { limits: { maxDepth: 30 } })).toHaveLength(1);

    const three = Array.from({ length: 3 }, () => 'IF color_distance IS low THEN inpaint IS none').join('\n');
    expect(errorOf(() => parseRules(three, vars, { limits: { maxRules: 2 } })).details).toMatchObject({
      reason: 'TOO_MANY_RULES',
      line: 3,
    });
    const long = `IF color_distance IS low THEN inpaint IS none ${'#'.repeat(100)}`;
    expect(errorOf(() => parseRules(long, vars, { limits: { maxLineLength: 80 } })).details).toMatchObject({
      reason: 'LINE_TOO_LONG',
      column: 81,
    });
  });

  it('refuses names that look up the object prototype', () => {
    rejects('IF constructor IS low THEN inpaint IS none', 'UNKNOWN_VARIABLE', 'constructor');
    rejects('IF color_distance IS toString THEN inpaint IS none', 'UNKNOWN_TERM', 'toString');
  });
});

describe('rule sets', () => {
  const doc: RuleSetDocument = {
    version: 1,
    variables: {
      inputs: {
        noise: { range: [0, 1], terms: { clean: triangularSet(0, 0, 0.5), noisy: triangularSet(0.3, 1, 1) } },
      },
      outputs: {
        denoise: { range: [0, 1], terms: { off: triangularSet(0, 0, 0.5), on: triangularSet(0.5, 1, 1) } },
      },
    },
    rules: [
      'IF noise IS noisy THEN denoise IS on',
      '# comments are allowed',
      'IF noise IS clean AND color_distance IS very_high THEN denoise IS off AND color_transfer IS strong',
    ],
  };

  it('parses text over the default variables', () => {
    const set = parseRuleSet(DEFAULT_RULE_TEXT);
    expect(Object.keys(set.inputs)).toEqual(Object.keys(vars.inputs));
    expect(Object.keys(set.outputs)).toEqual(Object.keys(vars.outputs));
    expect(set.rules).toEqual(parseRules(DEFAULT_RULE_TEXT, vars));
    // A single default line is a complete rule set on its own.
    const first = DEFAULT_RULE_TEXT.split('\n').find((l) => l.trim().startsWith('IF'))!;
    expect(parseRuleSet(first).rules).toHaveLength(1);
  });

  it('parses a document that adds variables to the defaults, and its JSON string', () => {
    const set = parseRuleSet(doc);
    expect(set.inputs.noise!.name).toBe('noise');
    expect(set.inputs.brightness_delta).toBeDefined();
    expect(set.rules.map((r) => [r.index, r.line])).toEqual([
      [0, 1],
      [1, 3],
    ]);
    expect(parseRuleSet(JSON.stringify(doc))).toEqual(set);
  });

  it('can replace the base variables', () => {
    const base: FuzzyVariables = { inputs: {}, outputs: {} };
    const set = parseRuleSet({ ...doc, rules: ['IF noise IS noisy THEN denoise IS on'] }, { base });
    expect(Object.keys(set.inputs)).toEqual(['noise']);
    const e = errorOf(() => parseRuleSet(doc, { base }));
    expect(e.details).toMatchObject({
      reason: 'UNKNOWN_VARIABLE',
      token: 'color_distance',
      line: 3,
      path: 'rules[2]',
    });
    expect(e.message).toContain('rules[2], column');
  });

  it('refuses broken documents with a path', () => {
    const cases: [unknown, string, string][] = [
      [{ ...doc, version: 2 }, 'UNSUPPORTED_VERSION', 'version'],
      [{ ...doc, rule: [] }, 'INVALID_DOCUMENT', 'rule'],
      [{ version: 1, rules: 'IF x' }, 'INVALID_DOCUMENT', 'rules'],
      [{ version: 1, rules: [3] }, 'INVALID_DOCUMENT', 'rules[0]'],
      [{ version: 1, rules: ['IF a IS b\nTHEN c IS d'] }, 'INVALID_DOCUMENT', 'rules[0]'],
      [{ version: 1, variables: { input: {} }, rules: [] }, 'INVALID_VARIABLE', 'variables.input'],
      [
        {
          version: 1,
          variables: {
            inputs: { noise: { range: [0, 1], terms: { a: { kind: 'triangle', a: 1, b: 0, c: 2 } } } },
          },
          rules: [],
        },
        'INVALID_MEMBERSHIP',
        'variables.inputs.noise.terms.a',
      ],
      [
        {
          version: 1,
          variables: { inputs: { sharpen: { range: [0, 1], terms: { a: triangularSet(0, 0.5, 1) } } } },
          rules: [],
        },
        'INVALID_VARIABLE',
        'variables.outputs.sharpen',
      ],
      [null, 'INVALID_DOCUMENT', 'document'],
    ];
    for (const [value, reason, path] of cases) {
      const e = errorOf(() => parseRuleSet(value as RuleSetDocument));
      expect(e.code).toBe('INVALID_RULES');
      expect(e.details).toMatchObject({ reason, path });
    }
    expect(errorOf(() => parseRuleSet('{ "version": 1, ')).details.reason).toBe('INVALID_DOCUMENT');
  });

  it('refuses an empty set and never returns part of a broken one', () => {
    expect(errorOf(() => parseRuleSet('# nothing here\n')).details.reason).toBe('EMPTY_RULE_SET');
    expect(errorOf(() => parseRuleSet({ version: 1, rules: [] })).details.reason).toBe('EMPTY_RULE_SET');
    const first = 'IF color_distance IS low THEN color_transfer IS none';
    const e = errorOf(() => parseRuleSet(`${first}\nIF brightness_delta IS purple THEN sharpen IS high`));
    expect(e.details).toMatchObject({ line: 2, column: 24, token: 'purple', reason: 'UNKNOWN_TERM' });
  });

  it('returns copies the caller cannot corrupt through its document', () => {
    const own = structuredClone(doc);
    const set = parseRuleSet(own);
    own.variables!.inputs!.noise!.range[1] = 99;
    expect(set.inputs.noise!.range).toEqual([0, 1]);
    const again = parseRuleSet(DEFAULT_RULE_TEXT);
    again.inputs.brightness_delta!.range[0] = -5;
    expect(parseRuleSet(DEFAULT_RULE_TEXT).inputs.brightness_delta!.range).toEqual([-1, 1]);
  });
});
