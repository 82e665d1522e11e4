import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { RunSchema } from './run.entity.ts';

/** A run's error history: every failed job attempt, whether it was retried or ended the run. */
export const RunFailureSchema = defineEntity({
  name: 'RunFailure',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    run: () => p.manyToOne(RunSchema).deleteRule('cascade'),
    jobId: p.string(),
    jobName: p.string(),
    attempt: p.integer(),
    code: p.string(),
    message: p.text(),
    willRetry: p.boolean(),
    worker: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['run', 'createdAt'] }],
});
export type RunFailure = InferEntity<typeof RunFailureSchema>;
