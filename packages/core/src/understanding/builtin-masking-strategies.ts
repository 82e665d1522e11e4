// Importing this file registers every built-in strategy; the runner imports it so that its default covers
// them all.
export * from './strategies/center-out.ts';
export * from './strategies/edges.ts';
export * from './strategies/progressive-reveal.ts';
export * from './strategies/quadrants.ts';
export * from './strategies/random-patches.ts';
export * from './strategies/spiral.ts';
