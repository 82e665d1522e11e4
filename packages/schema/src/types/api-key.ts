import { API_KEY_SCOPES, type ApiKey } from '@pakati/db';
import { keysetCursor } from '@pakati/platform';
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';
import { MemberRef } from './member.ts';

export const ApiKeyScopeEnum = builder.enumType('ApiKeyScope', {
  description:
    "What a key may do, within its member's role: READ reads, WRITE also changes projects and runs, ADMIN also manages the organization (members, keys, webhooks, organization-wide rules, the audit log).",
  values: Object.fromEntries(API_KEY_SCOPES.map((s) => [s.toUpperCase(), { value: s }])) as Record<
    Uppercase<(typeof API_KEY_SCOPES)[number]>,
    { value: (typeof API_KEY_SCOPES)[number] }
  >,
});

export const ApiKeyRef = builder.node(builder.objectRef<ApiKey>('ApiKey'), {
  id: { resolve: (k) => k.id },
  loadOne: (id, ctx) => ctx.platform.identity.findApiKey(ctx.principal, id),
  description:
    'A bearer key of the organization. Only its prefix is ever shown again: the secret is returned once, by createApiKey, and only its hash is stored.',
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The `pk_<prefix>_` part of the key, to recognise it.' }),
    scopes: t.field({ type: [ApiKeyScopeEnum], resolve: (k) => k.scopes }),
    member: t.field({
      type: MemberRef,
      nullable: true,
      description: 'Whose key it is; null once that member was removed.',
      resolve: (k, _args, ctx) => ctx.platform.members.find(ctx.principal.organizationId, k.member.id),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (k) => k.createdAt }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'After this the key is refused (401); null never expires.',
      resolve: (k) => k.expiresAt ?? null,
    }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the key last signed a request, to the minute; null if never.',
      resolve: (k) => k.lastUsedAt ?? null,
    }),
    revokedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Set once revoked: the key is refused (401) from then on.',
      resolve: (k) => k.revokedAt ?? null,
    }),
    current: t.boolean({
      description: 'True for the key this request is signed with: revoking it signs the caller out.',
      resolve: (k, _args, ctx) => k.id === ctx.principal.apiKeyId,
    }),
  }),
});

builder.queryField('apiKeys', (t) =>
  t.connection({
    type: ApiKeyRef,
    description:
      "Newest first, revoked ones included: every key of the organization for admins, one's own otherwise.",
    resolve: (_root, args, ctx) =>
      resolveCursorConnection<Promise<ApiKey[]>>(
        { args, toCursor: (k: ApiKey) => keysetCursor(k), defaultSize: 20, maxSize: 100 },
        (page) => ctx.platform.identity.listApiKeys(ctx.principal, page),
      ),
  }),
);

builder.relayMutationField(
  'createApiKey',
  {
    inputFields: (t) => ({
      name: t.string({ required: true, description: '1-100 characters, to tell keys apart.' }),
      scopes: t.field({
        type: [ApiKeyScopeEnum],
        description:
          "Omitted: all the member's role allows (and the caller holds). Never more than the caller's own key may do.",
      }),
      expiresAt: t.field({ type: 'DateTime', description: 'Omitted: the key never expires.' }),
      memberId: t.globalID({
        description: "Another member's key (needs ADMIN); omitted, the key is the caller's own.",
      }),
    }),
  },
  {
    resolve: (_root, { input }, ctx) =>
      ctx.platform.identity.createApiKeyAs(ctx.principal, input.name, {
        scopes: input.scopes ?? null,
        expiresAt: input.expiresAt ?? null,
        memberId: input.memberId ? expectType(input.memberId, 'Member') : null,
      }),
  },
  {
    outputFields: (t) => ({
      apiKey: t.field({ type: ApiKeyRef, resolve: (p) => p.apiKey }),
      key: t.string({
        description:
          'The whole key (pk_...), to send as `Authorization: Bearer`. Shown this once: store it now.',
        resolve: (p) => p.key,
      }),
    }),
  },
);

builder.relayMutationField(
  'revokeApiKey',
  {
    inputFields: (t) => ({
      id: t.globalID({ required: true }),
      confirmSelf: t.boolean({
        description:
          'Must be true to revoke the key this request is signed with (it signs the caller out); otherwise BAD_USER_INPUT with reason REVOKING_OWN_KEY.',
      }),
    }),
  },
  {
    description:
      "One's own key with any scope (a read-only key can always be given up); another member's needs ADMIN.",
    skipTypeScopes: true,
    authScopes: { read: true },
    resolve: async (_root, { input }, ctx) => ({
      apiKey: await ctx.platform.identity.revokeOwnApiKey(ctx.principal, expectType(input.id, 'ApiKey'), {
        confirmSelf: input.confirmSelf ?? false,
      }),
    }),
  },
  {
    outputFields: (t) => ({
      apiKey: t.field({ type: ApiKeyRef, resolve: (p) => p.apiKey }),
    }),
  },
);

builder.relayMutationField(
  'createWebSession',
  {
    inputFields: (t) => ({
      ttlSeconds: t.int({
        description: 'Lifetime, 60 s up to the server maximum (default); never past the key.',
      }),
    }),
  },
  {
    description:
      'A signed session token (JWT) acting for the calling API key, for the web app to keep in an httpOnly cookie instead of the key. It is refused once the key is revoked or expires. Must be called with the key itself.',
    skipTypeScopes: true,
    authScopes: { read: true },
    resolve: (_root, { input }, ctx) => {
      const max = ctx.platform.config.session.ttlSeconds;
      const ttl = Math.min(max, Math.max(60, input.ttlSeconds ?? max));
      return ctx.platform.identity.createSession(ctx.principal, ttl);
    },
  },
  {
    outputFields: (t) => ({
      token: t.string({ resolve: (s) => s.token }),
      expiresAt: t.field({ type: 'DateTime', resolve: (s) => s.expiresAt }),
    }),
  },
);
