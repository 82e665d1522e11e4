import { describe, expect, it } from 'vitest';
import { GraphQLRequestError } from '../lib/graphql-client';
import { caretLine, lineNumbers, lineText, ruleErrorOf, ruleSourceLabel } from '../lib/settings/rules-errors';

const invalid = (extensions: Record<string, unknown>, message = 'line 2, column 4: bad') =>
  new GraphQLRequestError('INVALID_RULES', message, {
    errors: [
      {
        message,
        code: 'INVALID_RULES',
        path: ['updateRuleSet'],
        extensions: { code: 'INVALID_RULES', ...extensions },
      },
    ],
  });

describe('ruleErrorOf', () => {
  it('reads the line, column, token and reason of the parser', () => {
    expect(ruleErrorOf(invalid({ line: 2, column: 4, token: 'IZ', reason: 'UNEXPECTED_TOKEN' }))).toEqual({
      message: 'line 2, column 4: bad',
      line: 2,
      column: 4,
      token: 'IZ',
      reason: 'UNEXPECTED_TOKEN',
    });
  });

  it('keeps a whole-set error without a position', () => {
    expect(ruleErrorOf(invalid({ reason: 'EMPTY_RULE_SET' }, 'The rule set has no rules'))).toEqual({
      message: 'The rule set has no rules',
      line: null,
      column: null,
      token: null,
      reason: 'EMPTY_RULE_SET',
    });
  });

  it('ignores positions that are not line numbers', () => {
    expect(ruleErrorOf(invalid({ line: 0, column: '3' }))).toMatchObject({ line: null, column: null });
  });

  it('answers null for any other failure', () => {
    expect(ruleErrorOf(new GraphQLRequestError('NETWORK_ERROR', 'down'))).toBeNull();
    expect(ruleErrorOf(new Error('INVALID_RULES'))).toBeNull();
  });
});

describe('editor line helpers', () => {
  const text = 'IF a IS low THEN b IS high\r\n# comment\nIF c IS mid THEN d IS low';

  it('numbers every line, whatever the line ending', () => {
    expect(lineNumbers(text)).toEqual([1, 2, 3]);
    expect(lineNumbers('')).toEqual([1]);
  });

  it('finds a line by number', () => {
    expect(lineText(text, 3)).toBe('IF c IS mid THEN d IS low');
    expect(lineText(text, 4)).toBeNull();
  });

  it('tells the caret line', () => {
    expect(caretLine('ab\ncd\nef', 0)).toBe(1);
    expect(caretLine('ab\ncd\nef', 3)).toBe(2);
    expect(caretLine('ab\ncd\nef', 8)).toBe(3);
  });

  it('says where the rules come from', () => {
    expect(ruleSourceLabel('default')).toBe('The shipped default rules');
    expect(ruleSourceLabel('project')).toBe("This project's own rules");
  });
});
