import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { ProjectSchema } from './project.entity.ts';
import { RegionSchema } from './region.entity.ts';

/** A reference image: the bytes live in the blob store under `blobKey`, never in PostgreSQL. */
export const ReferenceSchema = defineEntity({
  name: 'Reference',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    region: () => p.manyToOne(RegionSchema).nullable().deleteRule('set null'),
    blobKey: p.string().index(),
    contentType: p.string(),
    byteSize: p.integer(),
    width: p.integer(),
    height: p.integer(),
    description: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Reference = InferEntity<typeof ReferenceSchema>;
