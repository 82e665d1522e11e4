/**
 * Linguistic hedges reshape a degree. The exponents are those of the original's documentation (quite x^1.25,
 * rather x^1.5, slightly x^0.25), so rule sets written for it read the same here.
 */
export const HEDGES = {
  very: (x: number) => x * x,
  extremely: (x: number) => x * x * x,
  somewhat: (x: number) => Math.sqrt(x),
  slightly: (x: number) => x ** 0.25,
  quite: (x: number) => x ** 1.25,
  rather: (x: number) => x ** 1.5,
  fairly: (x: number) => x ** 0.75,
  not: (x: number) => 1 - x,
} as const satisfies Record<string, (degree: number) => number>;

export type Hedge = keyof typeof HEDGES;

export const HEDGE_NAMES: readonly Hedge[] = Object.freeze(Object.keys(HEDGES) as Hedge[]);

/** Case-insensitive, like the rule keywords, so `NOT` and `not` are the same hedge. */
export function isHedge(word: string): boolean {
  return Object.hasOwn(HEDGES, word.toLowerCase());
}

export function applyHedge(hedge: Hedge, degree: number): number {
  // Rounding can leave a degree a hair outside [0, 1]; a fractional power of a negative number would be NaN.
  const x = Math.min(1, Math.max(0, degree));
  return HEDGES[hedge](x);
}

/**
 * Applies hedges as they are read: the one nearest the term first, so `not very dark` is not(very(dark)).
 */
export function applyHedges(hedges: readonly Hedge[], degree: number): number {
  let x = degree;
  for (let i = hedges.length - 1; i >= 0; i--) x = applyHedge(hedges[i]!, x);
  return x;
}
