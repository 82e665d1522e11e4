import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { RunSchema } from './run.entity.ts';

/**
 * One analysis of one image of a refinement (the baseline, or an iteration's candidate) against the regions'
 * references: the measurements every recommendation of the next iteration is derived from.
 */
export const AnalysisRecordSchema = defineEntity({
  name: 'AnalysisRecord',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    run: () => p.manyToOne(RunSchema).deleteRule('cascade'),
    iteration: p.integer(),
    imageKey: p.string(),
    /** SHA-256 of the image bytes: with the references' hashes and the parameters, the cache key. */
    imageHash: p.string(),
    /** The kernel that ran the filters (sharp, tfjs-tensorflow, tfjs-wasm, js). */
    kernel: p.string(),
    cacheHit: p.boolean(),
    references: p.json<{ id: string; regionId: string | null; weight: number; level: number | null }[]>(),
    /** Per region: combined deltas, score, attribute delta, hash distance, and the deltas per reference. */
    regions: p.json<Record<string, unknown>[]>(),
    /** Findings of the optional semantic analyzers and the vision judge. */
    semantic: p.json<Record<string, unknown>[]>(),
    durationMs: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['run', 'iteration'] }],
});
export type AnalysisRecord = InferEntity<typeof AnalysisRecordSchema>;
