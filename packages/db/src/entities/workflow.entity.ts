import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { OrganizationSchema } from './organization.entity.ts';
import { ProjectSchema } from './project.entity.ts';

/** A saved, validated DAG of steps (see core's workflow validation); runs of kind WORKFLOW execute it. */
export const WorkflowSchema = defineEntity({
  name: 'Workflow',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    name: p.string(),
    definition: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['project', 'name'] }],
  indexes: [{ properties: ['organization', 'createdAt'] }],
});
export type Workflow = InferEntity<typeof WorkflowSchema>;
