import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

export const ORGANIZATION_TIERS = ['STARTER', 'PROFESSIONAL', 'ENTERPRISE'] as const;
export type OrganizationTier = (typeof ORGANIZATION_TIERS)[number];

export const OrganizationSchema = defineEntity({
  name: 'Organization',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    name: p.string().unique(),
    tier: p.enum(ORGANIZATION_TIERS).default('STARTER'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Organization = InferEntity<typeof OrganizationSchema>;
