/** The API's polygon rules, run in the browser so an invalid shape is marked before anything is saved. */
import { isPakatiError, type PolygonRejection, validatePolygon } from '@pakati/core';
import type { Point, Size } from './geometry';

export interface ShapeProblem {
  reason: PolygonRejection;
  message: string;
}

const REASONS: Record<PolygonRejection, string> = {
  TOO_FEW_POINTS: 'Needs at least 3 points',
  TOO_MANY_POINTS: 'Too many points',
  NOT_FINITE: 'A point has no valid coordinates',
  OUTSIDE_CANVAS: 'A point lies outside the canvas',
  SELF_INTERSECTING: 'Edges cross each other',
  TOO_SMALL: 'Too small',
};

/** Short, human label for a rejection reason (the full message says more). */
export function describeRejection(reason: PolygonRejection): string {
  return REASONS[reason];
}

export function shapeProblem(points: readonly Point[], canvas: Size): ShapeProblem | null {
  try {
    validatePolygon(points, canvas);
    return null;
  } catch (error) {
    if (isPakatiError(error) && error.code === 'INVALID_POLYGON') {
      return { reason: error.details.reason as PolygonRejection, message: error.message };
    }
    throw error;
  }
}
