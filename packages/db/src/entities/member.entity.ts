import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { OrganizationSchema } from './organization.entity.ts';

/** Ordered from least to most authority: a role grants everything the roles before it grant. */
export const MEMBER_ROLES = ['VIEWER', 'MEMBER', 'ADMIN', 'OWNER'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** A person (or a service identity) in an organization; API keys act on a member's behalf. */
export const MemberSchema = defineEntity({
  name: 'Member',
  uniques: [{ properties: ['organization', 'email'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    email: p.string(),
    name: p.string(),
    role: p.enum(MEMBER_ROLES),
    createdAt: p.datetime().onCreate(() => new Date()),
    removedAt: p.datetime().nullable(),
  },
});
export type Member = InferEntity<typeof MemberSchema>;
