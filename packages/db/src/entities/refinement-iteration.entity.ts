import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { RunSchema } from './run.entity.ts';

export const ITERATION_STATUSES = ['PLANNED', 'ACCEPTED', 'REJECTED'] as const;
export type IterationStatus = (typeof ITERATION_STATUSES)[number];

/**
 * One pass of a REFINE run. Iteration 0 is the baseline (accepted by definition). An iteration is planned by the
 * decision on the one before it (its plans, from the best image's analysis), then decided once its candidate is
 * analysed; a rejected one stays here, marked, and the best image stays the run's result.
 */
export const RefinementIterationSchema = defineEntity({
  name: 'RefinementIteration',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    run: () => p.manyToOne(RunSchema).deleteRule('cascade'),
    index: p.integer(),
    status: p.enum(ITERATION_STATUSES),
    /** The best image so far, which this iteration's plans edit. */
    baseImageKey: p.string(),
    imageKey: p.string().nullable(),
    score: p.double().nullable(),
    bestScore: p.double().nullable(),
    rejection: p.string().nullable(),
    /** Strategy state the plans were made under (intensity, focus, generative). */
    strategy: p.json<Record<string, unknown>>(),
    /** Region plans: steps with strengths, and recommendations with the rules that fired. */
    plans: p.json<Record<string, unknown>[]>(),
    /** Per region after the decision: score before and after, hash distance, steps applied. */
    regions: p.json<Record<string, unknown>[]>(),
    /** The loop's state after this iteration was decided; the next one starts from it. */
    state: p.json<Record<string, unknown>>().nullable(),
    analysis: p.uuid().nullable(),
    durationMs: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    decidedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['run', 'index'] }],
});
export type RefinementIteration = InferEntity<typeof RefinementIterationSchema>;
