import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { AnalysisRecordSchema } from './analysis-record.entity.ts';
import { RefinementIterationSchema } from './refinement-iteration.entity.ts';

/**
 * Why an iteration did what it did: one recommendation (a fuzzy output for one region), the rules that fired
 * with their degrees, the measured inputs they read, and the analysis those inputs came from.
 */
export const RefinementEvidenceSchema = defineEntity({
  name: 'RefinementEvidence',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    iteration: () => p.manyToOne(RefinementIterationSchema).deleteRule('cascade'),
    analysis: () => p.manyToOne(AnalysisRecordSchema).deleteRule('cascade'),
    regionId: p.uuid(),
    output: p.string(),
    value: p.double(),
    fired: p.json<{ ruleIndex: number; line: number; text: string; degree: number }[]>(),
    inputs: p.json<Record<string, number | null>>(),
    referenceIds: p.json<string[]>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['iteration'] }, { properties: ['analysis'] }],
});
export type RefinementEvidence = InferEntity<typeof RefinementEvidenceSchema>;
