import { GraphQLRequestError } from '../graphql-client';

/** Where the API's rule parser stopped, as its INVALID_RULES error extensions tell it. */
export interface RuleError {
  message: string;
  reason: string | null;
  /** From 1; null when the error is about the whole set (e.g. no rules at all). */
  line: number | null;
  column: number | null;
  token: string | null;
}

const positiveInt = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;

/** The INVALID_RULES details of a failed save, or null when the save failed for another reason. */
export function ruleErrorOf(error: unknown): RuleError | null {
  if (!(error instanceof GraphQLRequestError) || error.code !== 'INVALID_RULES') return null;
  const entry = error.errors.find((e) => e.code === 'INVALID_RULES');
  const ext = entry?.extensions ?? {};
  return {
    message: entry?.message ?? error.message,
    reason: typeof ext.reason === 'string' ? ext.reason : null,
    line: positiveInt(ext.line),
    column: positiveInt(ext.column),
    token: typeof ext.token === 'string' ? ext.token : null,
  };
}

/** The text of line `line` (from 1), or null past the end. */
export function lineText(text: string, line: number): string | null {
  return text.split(/\r\n|\r|\n/)[line - 1] ?? null;
}

/** 1..n for the gutter beside the editor; an empty text still has its first line. */
export function lineNumbers(text: string): number[] {
  return Array.from({ length: text.split(/\r\n|\r|\n/).length }, (_, i) => i + 1);
}

/** The line (from 1) the caret is on, for the indicator under the editor. */
export function caretLine(text: string, caret: number): number {
  return lineNumbers(text.slice(0, Math.max(0, caret))).length;
}

/** Where the rules in force come from, in words. */
export function ruleSourceLabel(source: string): string {
  switch (source) {
    case 'project':
      return "This project's own rules";
    case 'organization':
      return "The organization's rules";
    case 'default':
      return 'The shipped default rules';
    default:
      return source;
  }
}
