import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { ReferenceSchema } from './reference.entity.ts';
import { RunSchema } from './run.entity.ts';

export interface UnderstandingAttempt {
  difficulty: number;
  score: number;
  ssim: number;
  colorDeltaE: number;
  hiddenFraction: number;
  ms: number;
}

/** How well a reference was reconstructed under one masking strategy: Pakati's "prove you understood it". */
export const ReferenceUnderstandingSchema = defineEntity({
  name: 'ReferenceUnderstanding',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    reference: () => p.manyToOne(ReferenceSchema).deleteRule('cascade'),
    run: () => p.manyToOne(RunSchema).deleteRule('cascade'),
    strategy: p.string(),
    level: p.double(),
    mastery: p.boolean(),
    backend: p.string(),
    attempts: p.json<UnderstandingAttempt[]>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['reference', 'createdAt'] }],
});
export type ReferenceUnderstanding = InferEntity<typeof ReferenceUnderstandingSchema>;
