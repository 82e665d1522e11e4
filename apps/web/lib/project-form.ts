/** Pure helpers for the "create project" form: defaults, validation, and the region polygon. */
import type { Point } from './operations';

export const DEFAULT_WIDTH = 512;
export const DEFAULT_HEIGHT = 512;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The centred rectangle spanning half the canvas width and half its height. */
export function defaultRect(width: number, height: number): Rect {
  const w = Math.round(width / 2);
  const h = Math.round(height / 2);
  return { x: Math.round((width - w) / 2), y: Math.round((height - h) / 2), w, h };
}

/** The rectangle's corners clockwise from the top-left, in canvas pixels. */
export function rectPoints(rect: Rect): Point[] {
  const { x, y, w, h } = rect;
  return [
    { x, y },
    { x: x + w, y },
    { x: x + w, y: y + h },
    { x, y: y + h },
  ];
}

export interface ProjectFormValues {
  name: string;
  width: string;
  height: string;
  x: string;
  y: string;
  w: string;
  h: string;
  prompt: string;
  negativePrompt: string;
}

export interface ParsedProjectForm {
  name: string;
  width: number;
  height: number;
  rect: Rect;
  prompt: string;
  negativePrompt: string | null;
}

/** Parses a whole, non-negative integer; anything else (empty, 1.5, -3, "abc") is null. */
export function parseWholeNumber(value: string): number | null {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : null;
}

/** Parses an optional integer seed ("" -> null). Returns undefined when the text is not a valid seed. */
export function parseSeed(value: string): number | null | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (!/^-?\d+$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) && Math.abs(n) <= 2_147_483_647 ? n : undefined;
}

/**
 * Validates the form client-side (the API validates again and has the final word, e.g. on the
 * maximum canvas size). Returns either the parsed values or a list of messages.
 */
export function validateProjectForm(
  values: ProjectFormValues,
): { ok: true; value: ParsedProjectForm } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const name = values.name.trim();
  if (!name) errors.push('Name is required.');
  const width = parseWholeNumber(values.width);
  const height = parseWholeNumber(values.height);
  if (width === null || width < 1) errors.push('Width must be a positive whole number.');
  if (height === null || height < 1) errors.push('Height must be a positive whole number.');
  const x = parseWholeNumber(values.x);
  const y = parseWholeNumber(values.y);
  const w = parseWholeNumber(values.w);
  const h = parseWholeNumber(values.h);
  if (x === null || y === null) errors.push('Region x and y must be whole numbers ≥ 0.');
  if (w === null || w < 1 || h === null || h < 1)
    errors.push('Region w and h must be positive whole numbers.');
  if (width && height && x !== null && y !== null && w && h && (x + w > width || y + h > height)) {
    errors.push('The region must lie inside the canvas.');
  }
  const prompt = values.prompt.trim();
  if (!prompt) errors.push('Prompt is required.');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name,
      width: width!,
      height: height!,
      rect: { x: x!, y: y!, w: w!, h: h! },
      prompt,
      negativePrompt: values.negativePrompt.trim() || null,
    },
  };
}
