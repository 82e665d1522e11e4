import type { AuditEntry } from '@pakati/db';
import { keysetCursor } from '@pakati/platform';
import { encodeGlobalID, resolveCursorConnection } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';

const AuditEntryRef = builder.objectRef<AuditEntry>('AuditEntry').implement({
  description: 'One mutation attempt, refused ones included: who, what, when and from where.',
  authScopes: { admin: true },
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
    actor: t.exposeString('actor', {
      description: 'The API key prefix (pk_<prefix>) that signed the request.',
    }),
    memberId: t.id({
      nullable: true,
      resolve: (e) => (e.memberId ? encodeGlobalID('Member', e.memberId) : null),
    }),
    apiKeyId: t.id({
      nullable: true,
      resolve: (e) => (e.apiKeyId ? encodeGlobalID('ApiKey', e.apiKeyId) : null),
    }),
    operation: t.exposeString('operation', { description: 'The mutation field, e.g. createProject.' }),
    input: t.string({
      nullable: true,
      description: 'The arguments as JSON, with secrets redacted and uploads reduced to name and size.',
      resolve: (e) => (e.input ? JSON.stringify(e.input) : null),
    }),
    outcome: t.exposeString('outcome', { description: 'OK or ERROR.' }),
    errorCode: t.exposeString('errorCode', { nullable: true }),
    ip: t.exposeString('ip', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    requestId: t.exposeString('requestId', { nullable: true }),
  }),
});

builder.queryField('auditLog', (t) =>
  t.connection({
    type: AuditEntryRef,
    description: 'Every mutation attempt of the organization, newest first.',
    authScopes: { admin: true },
    args: {
      operation: t.arg.string({ description: 'Only this mutation, e.g. deleteProject.' }),
      memberId: t.arg.globalID({ description: 'Only this member’s attempts.' }),
    },
    resolve: (_root, args, ctx) =>
      resolveCursorConnection<Promise<AuditEntry[]>>(
        { args, toCursor: (e: AuditEntry) => keysetCursor(e), defaultSize: 50, maxSize: 200 },
        (page) =>
          ctx.platform.audit.list(ctx.principal.organizationId, page, {
            operation: args.operation ?? null,
            memberId: args.memberId ? expectType(args.memberId, 'Member') : null,
          }),
      ),
  }),
);
