export * from './action-planner.ts';
export * from './refinement-policy.ts';
export * from './refinement-score.ts';
export * from './refinement-strategy.ts';
export * from './region-inference.ts';
