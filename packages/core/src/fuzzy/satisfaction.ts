import { PakatiError } from '../errors.ts';

/** The original's tolerance: within it a value still scores at least 0.8. */
export const DEFAULT_SATISFACTION_TOLERANCE = 0.1;

function finite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PakatiError('BAD_USER_INPUT', `${name} must be a finite number`, { [name]: String(value) });
  }
}

/**
 * The original's satisfaction curve for a distance d = |current - target|: 1 at d = 0, 0.8 at t, 0.4 at 2t,
 * 0.1 at 3t. Beyond 3t it falls by 0.1 per unit of d, not per t, exactly as the original does; so a value
 * that is completely off still scores a little above 0 on a [0, 1] scale.
 */
export function satisfactionForDistance(
  distance: number,
  tolerance = DEFAULT_SATISFACTION_TOLERANCE,
): number {
  finite('distance', distance);
  finite('tolerance', tolerance);
  if (tolerance <= 0)
    throw new PakatiError('BAD_USER_INPUT', 'tolerance must be greater than 0', { tolerance });
  const d = Math.abs(distance);
  const t = tolerance;
  if (d <= t) return 1 - (0.2 * d) / t;
  if (d <= 2 * t) return 0.8 - (0.4 * (d - t)) / t;
  if (d <= 3 * t) return 0.4 - (0.3 * (d - 2 * t)) / t;
  return Math.max(0, 0.1 - 0.1 * (d - 3 * t));
}

/** How satisfied a target is with a current value, in [0, 1]. */
export function satisfactionScore(
  current: number,
  target: number,
  tolerance = DEFAULT_SATISFACTION_TOLERANCE,
): number {
  finite('current', current);
  finite('target', target);
  return satisfactionForDistance(current - target, tolerance);
}
