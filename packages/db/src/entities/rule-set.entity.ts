import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { OrganizationSchema } from './organization.entity.ts';
import { ProjectSchema } from './project.entity.ts';

/**
 * A fuzzy rule set as data. One per organization (project null) overrides the shipped default; one per project
 * overrides its organization's. Only a set that parsed and validated is ever stored.
 */
export const RuleSetSchema = defineEntity({
  name: 'RuleSet',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    project: () => p.manyToOne(ProjectSchema).nullable().deleteRule('cascade'),
    text: p.text(),
    version: p.integer().default(1),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['organization', 'project'] }],
});
export type RuleSet = InferEntity<typeof RuleSetSchema>;
