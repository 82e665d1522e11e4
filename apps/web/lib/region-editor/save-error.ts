/** Turns a failed save into a message placed next to the field the API blamed. */
import type { RegionFieldName } from './region-fields';

export interface SaveError {
  code: string;
  message: string;
  /** The form field to show it next to; null shows it for the whole region. */
  field: RegionFieldName | null;
}

const FIELDS: readonly RegionFieldName[] = ['points', 'prompt', 'negativePrompt', 'model', 'seed', 'feather'];

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}

/**
 * Reads `extensions.field` (or `field` on an already normalised entry) from the first GraphQL error;
 * polygon errors always concern the points even though the API names no field for them.
 */
export function toSaveError(error: unknown): SaveError {
  const top = record(error);
  const entries = Array.isArray(top?.errors) ? top.errors : [];
  const first = record(entries[0]);
  const extensions = record(first?.extensions);
  const code =
    (typeof top?.code === 'string' && top.code) ||
    (typeof extensions?.code === 'string' && extensions.code) ||
    'UNKNOWN';
  const message =
    (typeof first?.message === 'string' && first.message) ||
    (error instanceof Error ? error.message : 'The save failed.');
  const named = extensions?.field ?? first?.field;
  const field = code === 'INVALID_POLYGON' ? 'points' : (FIELDS.find((f) => f === named) ?? null);
  return { code, message, field };
}
