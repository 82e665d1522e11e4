import { DEFAULT_CANVAS_LIMITS } from '@pakati/core';
import { GraphQLRequestError } from '../graphql-client';

/** Messages keyed by form field; `form` holds what belongs to no single field. */
export type FieldErrors = Partial<Record<string, string>>;

export const DEFAULT_CANVAS = { width: 512, height: 512 } as const;
const MAX_NAME = 200;

export interface ProjectDraft {
  name: string;
  width: string;
  height: string;
}

function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : null;
}

export function validateProjectName(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return 'Give the project a name.';
  if (trimmed.length > MAX_NAME) return `Keep the name under ${MAX_NAME} characters.`;
  return null;
}

/**
 * Client-side checks before createProject, against the API's default canvas limits; the API checks
 * again with its configured limits and its answer lands on the same fields.
 */
export function validateProjectDraft(
  draft: ProjectDraft,
): { ok: true; input: { name: string; width: number; height: number } } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const nameError = validateProjectName(draft.name);
  if (nameError) errors.name = nameError;
  const width = wholeNumber(draft.width);
  const height = wholeNumber(draft.height);
  const { maxWidth, maxHeight, maxPixels } = DEFAULT_CANVAS_LIMITS;
  if (width === null || width < 1) errors.width = 'Width must be a whole number of pixels.';
  else if (width > maxWidth) errors.width = `At most ${maxWidth} pixels wide.`;
  if (height === null || height < 1) errors.height = 'Height must be a whole number of pixels.';
  else if (height > maxHeight) errors.height = `At most ${maxHeight} pixels high.`;
  if (!errors.width && !errors.height && width! * height! > maxPixels) {
    errors.form = `The canvas may hold at most ${maxPixels.toLocaleString('en')} pixels.`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { name: draft.name.trim(), width: width!, height: height! } };
}

/** Which form field an API error is about: its `extensions.field`, or the canvas side a reason names. */
function fieldOf(extensions: Readonly<Record<string, unknown>>): string {
  if (typeof extensions.field === 'string') return extensions.field;
  if (extensions.reason === 'TOO_WIDE') return 'width';
  if (extensions.reason === 'TOO_TALL') return 'height';
  return 'form';
}

/**
 * Puts an API error next to the field it is about, with its code so people can report it. Errors
 * that are not about input (network, unauthorized, internal) are left to the caller.
 */
export function apiFieldErrors(error: unknown): FieldErrors | null {
  if (!(error instanceof GraphQLRequestError)) return null;
  const errors: FieldErrors = {};
  for (const entry of error.errors) {
    if (!entry.code || !['BAD_USER_INPUT', 'INVALID_CANVAS', 'CANVAS_TOO_LARGE'].includes(entry.code))
      continue;
    const field = fieldOf(entry.extensions);
    errors[field] ??= `${entry.message} (${entry.code})`;
  }
  return Object.keys(errors).length > 0 ? errors : null;
}
