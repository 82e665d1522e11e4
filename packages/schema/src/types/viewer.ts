import type { Principal, TierQuota } from '@pakati/platform';
import { builder } from '../builder.ts';
import { ApiKeyRef } from './api-key.ts';
import { MemberRef, MemberRoleEnum } from './member.ts';

const TierEnum = builder.enumType('OrganizationTier', {
  values: ['STARTER', 'PROFESSIONAL', 'ENTERPRISE'] as const,
});

const PermissionEnum = builder.enumType('Permission', {
  values: {
    READ: { value: 'read' },
    WRITE: { value: 'write' },
    ADMIN: { value: 'admin' },
    OWNER: { value: 'owner' },
  } as const,
});

const QuotaRef = builder.objectRef<TierQuota>('TierQuota').implement({
  description: 'The limits of the organization’s tier; exceeding one is RATE_LIMITED or QUOTA_EXCEEDED.',
  fields: (t) => ({
    requestsPerMinute: t.exposeInt('requestsPerMinute', { description: 'Per API key.' }),
    concurrentRuns: t.exposeInt('concurrentRuns'),
    storedBytes: t.exposeFloat('storedBytes', { description: 'Reference images kept.' }),
    maxCanvasWidth: t.exposeInt('maxCanvasWidth'),
    maxCanvasHeight: t.exposeInt('maxCanvasHeight'),
  }),
});

const OrganizationRef = builder.objectRef<Principal>('Organization').implement({
  fields: (t) => ({
    id: t.exposeID('organizationId'),
    name: t.exposeString('organizationName'),
    tier: t.field({ type: TierEnum, resolve: (p) => p.tier }),
    quota: t.field({ type: QuotaRef, resolve: (p, _args, ctx) => ctx.platform.quotas.quotaOf(p.tier) }),
  }),
});

const ViewerRef = builder.objectRef<Principal>('Viewer').implement({
  description:
    'Who is asking: the organization, the member and the key; every read and write is scoped to them.',
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, resolve: (v) => v }),
    member: t.field({
      type: MemberRef,
      resolve: async (v, _args, ctx) => (await ctx.platform.members.find(v.organizationId, v.memberId))!,
    }),
    role: t.field({ type: MemberRoleEnum, resolve: (v) => v.role }),
    permissions: t.field({
      type: [PermissionEnum],
      description: "What this request may do: the member's role narrowed by the key's scopes.",
      resolve: (v) => [...v.permissions],
    }),
    apiKey: t.field({
      type: ApiKeyRef,
      resolve: async (v, _args, ctx) => (await ctx.platform.identity.findApiKey(v, v.apiKeyId))!,
    }),
    sessionExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Set when signed in with a web session token: when it ends.',
      resolve: (v) => v.sessionExpiresAt,
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({ type: ViewerRef, resolve: (_root, _args, ctx) => ctx.principal }),
);
