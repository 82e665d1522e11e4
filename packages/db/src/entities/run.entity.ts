import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { OrganizationSchema } from './organization.entity.ts';
import { ProjectSchema } from './project.entity.ts';
import { WorkflowSchema } from './workflow.entity.ts';

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
export const RUN_KINDS = ['GENERATE', 'UNDERSTAND', 'REFINE', 'WORKFLOW'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export interface RunError {
  code: string;
  message: string;
}

export const RunSchema = defineEntity({
  name: 'Run',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    kind: p.enum(RUN_KINDS),
    status: p.enum(RUN_STATUSES).default('QUEUED'),
    seed: p.bigint('number'),
    // A snapshot of the canvas and regions taken at start, so later edits never change what a run renders.
    parameters: p.json<Record<string, unknown>>(),
    progress: p.double().default(0),
    resultImageKey: p.string().nullable().index(),
    resultWidth: p.integer().nullable(),
    resultHeight: p.integer().nullable(),
    error: p.json<RunError>().nullable(),
    idempotencyKey: p.string().nullable(),
    // 1..10, higher runs sooner: the run's own or its organization tier's default, fixed at start.
    priority: p.integer().default(0),
    // Runs started together by one startRuns call share a batch id.
    batchId: p.uuid().nullable().index(),
    workflow: () => p.manyToOne(WorkflowSchema).nullable().deleteRule('set null'),
    lastEventSeq: p.integer().default(0),
    attempts: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['organization', 'idempotencyKey'] }],
  indexes: [
    { properties: ['project', 'createdAt'] },
    { properties: ['status', 'createdAt'] },
    { properties: ['organization', 'updatedAt'] },
  ],
});
export type Run = InferEntity<typeof RunSchema>;
