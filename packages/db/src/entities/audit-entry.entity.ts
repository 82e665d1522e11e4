import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { OrganizationSchema } from './organization.entity.ts';

/**
 * One mutation attempt: who (member and key, kept as plain ids so the entry outlives them), what (operation,
 * redacted input, outcome), when and from where. Written for refused attempts too: those are what an audit is for.
 */
export const AuditEntrySchema = defineEntity({
  name: 'AuditEntry',
  indexes: [{ properties: ['organization', 'createdAt'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    memberId: p.uuid().nullable(),
    apiKeyId: p.uuid().nullable(),
    actor: p.string(),
    operation: p.string(),
    input: p.json<Record<string, unknown>>().nullable(),
    outcome: p.string(),
    errorCode: p.string().nullable(),
    ip: p.string().nullable(),
    userAgent: p.string().nullable(),
    requestId: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type AuditEntry = InferEntity<typeof AuditEntrySchema>;
