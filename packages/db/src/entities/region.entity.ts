import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { Point } from '@pakati/core';
import { ProjectSchema } from './project.entity.ts';

export const RegionSchema = defineEntity({
  name: 'Region',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    points: p.json<Point[]>(),
    prompt: p.text(),
    negativePrompt: p.text().nullable(),
    // The backend this region must use; null lets the selector choose.
    model: p.string().nullable(),
    // bigint: a seed is an unsigned 32-bit integer, which does not fit PostgreSQL's signed int4.
    seed: p.bigint('number').nullable(),
    zOrder: p.integer().default(0),
    feather: p.integer().default(8),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [{ properties: ['project', 'zOrder'] }],
});
export type Region = InferEntity<typeof RegionSchema>;
