import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { MemberSchema } from './member.entity.ts';
import { OrganizationSchema } from './organization.entity.ts';

/** What a key may do, capped by its member's role: `admin` implies `write`, `write` implies `read`. */
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Only the SHA-256 of the key is stored; the prefix is what people see in lists and logs. */
export const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    member: () => p.manyToOne(MemberSchema).deleteRule('cascade'),
    name: p.string(),
    scopes: p.array<ApiKeyScope>().default(['read', 'write', 'admin']),
    expiresAt: p.datetime().nullable(),
    prefix: p.string().unique(),
    secretHash: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
    revokedAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
  },
});
export type ApiKey = InferEntity<typeof ApiKeySchema>;
