import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { ProjectSchema } from './project.entity.ts';
import { RunSchema } from './run.entity.ts';

export const GENERATION_OPERATIONS = ['generate', 'img2img', 'inpaint', 'compose'] as const;
export type GenerationOperation = (typeof GENERATION_OPERATIONS)[number];

/**
 * One step of a run's work, kept forever as the project's generation history: what was asked (prompt,
 * enhanced prompt, seed, parameters), who did it (backend, model version), how long it took, and the image.
 * `regionId` is a plain id, not a foreign key, so the history outlives an edited or removed region.
 */
export const GenerationStepSchema = defineEntity({
  name: 'GenerationStep',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    run: () => p.manyToOne(RunSchema).deleteRule('cascade'),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    regionId: p.uuid().nullable().index(),
    pass: p.integer().default(0),
    operation: p.enum(GENERATION_OPERATIONS),
    backend: p.string(),
    model: p.string(),
    modelVersion: p.string(),
    seed: p.bigint('number'),
    prompt: p.text(),
    enhancedPrompt: p.text().nullable(),
    negativePrompt: p.text().nullable(),
    parameters: p.json<Record<string, unknown>>(),
    /** Backends tried before this one succeeded, with why each failed. */
    failovers: p.json<{ backend: string; kind: string; message: string }[]>(),
    durationMs: p.integer(),
    imageKey: p.string(),
    width: p.integer(),
    height: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['project', 'createdAt'] }, { properties: ['run', 'regionId'] }],
});
export type GenerationStep = InferEntity<typeof GenerationStepSchema>;
