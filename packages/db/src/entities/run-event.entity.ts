import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { RunSchema } from './run.entity.ts';

export const RUN_EVENT_TYPES = [
  'QUEUED',
  'STARTED',
  'PROGRESS',
  'STEP',
  'RETRY',
  'ITERATION',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];
export const TERMINAL_RUN_EVENT_TYPES: readonly RunEventType[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** The durable log behind `runEvents`: (run, seq) is the primary key, so seq is gap-free and unique per run. */
export const RunEventSchema = defineEntity({
  name: 'RunEvent',
  properties: {
    run: () => p.manyToOne(RunSchema).primary().deleteRule('cascade'),
    seq: p.integer().primary(),
    type: p.enum(RUN_EVENT_TYPES),
    payload: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  primaryKeys: ['run', 'seq'],
});
export type RunEvent = InferEntity<typeof RunEventSchema>;
