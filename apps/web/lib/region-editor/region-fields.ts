/** Checks a region's form fields with the API's own limits, so most mistakes show before a save. */
import type { RegionFields } from './editor-state';

export type RegionFieldName = keyof RegionFields | 'points';

export type FieldErrors = Partial<Record<RegionFieldName, string>>;

/** Kept in step with the API (packages/platform/src/project.service.ts). */
export const MAX_PROMPT_LENGTH = 4000;
export const MAX_FEATHER = 256;
export const MAX_SEED = 2 ** 32 - 1;

export function fieldErrors(fields: RegionFields): FieldErrors {
  const errors: FieldErrors = {};
  if (fields.prompt.trim() === '') errors.prompt = 'A prompt is required.';
  else if (fields.prompt.trim().length > MAX_PROMPT_LENGTH)
    errors.prompt = `At most ${MAX_PROMPT_LENGTH} characters.`;
  if (fields.negativePrompt.trim().length > MAX_PROMPT_LENGTH)
    errors.negativePrompt = `At most ${MAX_PROMPT_LENGTH} characters.`;
  if (fields.seed !== null && (!Number.isInteger(fields.seed) || fields.seed < 0 || fields.seed > MAX_SEED))
    errors.seed = `A whole number from 0 to ${MAX_SEED}, or empty.`;
  if (!Number.isInteger(fields.feather) || fields.feather < 0 || fields.feather > MAX_FEATHER)
    errors.feather = `A whole number from 0 to ${MAX_FEATHER}.`;
  return errors;
}

/** A number input's text as a seed: empty is null (derive from the run seed), otherwise the number. */
export function parseSeedInput(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}
