import { PakatiError } from '../errors.ts';

/** Peaks at b; a = b or b = c gives a right-angled shoulder. */
export interface TriangleMembership {
  kind: 'triangle';
  a: number;
  b: number;
  c: number;
}

/** Full membership on [b, c]; a = b or c = d gives a shoulder that stays at 1 up to the edge. */
export interface TrapezoidMembership {
  kind: 'trapezoid';
  a: number;
  b: number;
  c: number;
  d: number;
}

export interface GaussianMembership {
  kind: 'gaussian';
  mean: number;
  sigma: number;
}

/** Plain data, so rule sets can be stored, sent and validated like any other document. */
export type MembershipFunction = TriangleMembership | TrapezoidMembership | GaussianMembership;

export const MEMBERSHIP_KINDS = ['triangle', 'trapezoid', 'gaussian'] as const;

export function triangularSet(a: number, b: number, c: number): TriangleMembership {
  return { kind: 'triangle', a, b, c };
}

export function trapezoidalSet(a: number, b: number, c: number, d: number): TrapezoidMembership {
  return { kind: 'trapezoid', a, b, c, d };
}

export function gaussianSet(mean: number, sigma: number): GaussianMembership {
  return { kind: 'gaussian', mean, sigma };
}

/** Degree in [0, 1] to which x belongs to the set. */
export function membership(fn: MembershipFunction, x: number): number {
  switch (fn.kind) {
    case 'triangle': {
      if (x < fn.a || x > fn.c) return 0;
      if (x === fn.b) return 1;
      // Equal neighbours (a shoulder) never reach the divisions below: x === b was handled above.
      return x < fn.b ? (x - fn.a) / (fn.b - fn.a) : (fn.c - x) / (fn.c - fn.b);
    }
    case 'trapezoid': {
      if (x < fn.a || x > fn.d) return 0;
      if (x >= fn.b && x <= fn.c) return 1;
      return x < fn.b ? (x - fn.a) / (fn.b - fn.a) : (fn.d - x) / (fn.d - fn.c);
    }
    case 'gaussian': {
      const z = (x - fn.mean) / fn.sigma;
      return Math.exp(-0.5 * z * z);
    }
  }
}

function invalid(path: string, message: string): never {
  throw new PakatiError('INVALID_RULES', `${path}: ${message}`, { path, reason: 'INVALID_MEMBERSHIP' });
}

function finiteParam(value: Record<string, unknown>, key: string, path: string): number {
  const v = value[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) invalid(`${path}.${key}`, 'must be a finite number');
  return v;
}

function ordered(params: readonly number[], names: string, path: string): void {
  for (let i = 1; i < params.length; i++) {
    if (params[i - 1]! > params[i]!) invalid(path, `parameters must satisfy ${names}`);
  }
  // A set that is a single point has no width, so no input except that exact value would ever belong to it.
  if (params[0] === params[params.length - 1]) invalid(path, 'the set must have a non-zero width');
}

/**
 * Checks a membership function that came from outside (a stored rule set, a request) and returns a clean copy,
 * so stray properties and later mutation of the caller's object cannot reach inference.
 */
export function validateMembershipFunction(value: unknown, path = 'membership'): MembershipFunction {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    invalid(path, 'must be an object with a kind');
  }
  const v = value as Record<string, unknown>;
  switch (v.kind) {
    case 'triangle': {
      const fn = triangularSet(
        finiteParam(v, 'a', path),
        finiteParam(v, 'b', path),
        finiteParam(v, 'c', path),
      );
      ordered([fn.a, fn.b, fn.c], 'a <= b <= c', path);
      return fn;
    }
    case 'trapezoid': {
      const fn = trapezoidalSet(
        finiteParam(v, 'a', path),
        finiteParam(v, 'b', path),
        finiteParam(v, 'c', path),
        finiteParam(v, 'd', path),
      );
      ordered([fn.a, fn.b, fn.c, fn.d], 'a <= b <= c <= d', path);
      return fn;
    }
    case 'gaussian': {
      const fn = gaussianSet(finiteParam(v, 'mean', path), finiteParam(v, 'sigma', path));
      if (fn.sigma <= 0) invalid(`${path}.sigma`, 'must be greater than 0');
      return fn;
    }
    default:
      return invalid(`${path}.kind`, `must be one of ${MEMBERSHIP_KINDS.join(', ')}`);
  }
}
