import { MEMBER_ROLES, type Member } from '@pakati/db';
import { keysetCursor } from '@pakati/platform';
import { encodeGlobalID, resolveCursorConnection } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';

export const MemberRoleEnum = builder.enumType('MemberRole', {
  description:
    'VIEWER reads; MEMBER also creates and changes projects, regions, references and runs; ADMIN also manages members, keys, webhooks, organization-wide rules and reads the audit log; OWNER also makes and removes owners.',
  values: MEMBER_ROLES,
});

export const MemberRef = builder.node(builder.objectRef<Member>('Member'), {
  id: { resolve: (m) => m.id },
  loadOne: (id, ctx) => ctx.platform.members.find(ctx.principal.organizationId, id),
  description: 'A person or service in the organization; API keys act for one member, within its role.',
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    role: t.field({ type: MemberRoleEnum, resolve: (m) => m.role }),
    createdAt: t.field({ type: 'DateTime', resolve: (m) => m.createdAt }),
  }),
});

builder.queryField('members', (t) =>
  t.connection({
    type: MemberRef,
    description: 'The organization’s current members, newest first.',
    resolve: (_root, args, ctx) =>
      resolveCursorConnection<Promise<Member[]>>(
        { args, toCursor: (m: Member) => keysetCursor(m), defaultSize: 20, maxSize: 100 },
        (page) => ctx.platform.members.list(ctx.principal, page),
      ),
  }),
);

builder.relayMutationField(
  'addMember',
  {
    inputFields: (t) => ({
      email: t.string({ required: true }),
      name: t.string({ required: true }),
      role: t.field({ type: MemberRoleEnum, required: true, description: 'OWNER needs an owner.' }),
    }),
  },
  {
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({
      member: await ctx.platform.members.add(ctx.principal, input),
    }),
  },
  { outputFields: (t) => ({ member: t.field({ type: MemberRef, resolve: (p) => p.member }) }) },
);

builder.relayMutationField(
  'updateMemberRole',
  {
    inputFields: (t) => ({
      id: t.globalID({ required: true }),
      role: t.field({ type: MemberRoleEnum, required: true }),
    }),
  },
  {
    description:
      'Making or unmaking an owner needs an owner; the last owner cannot be demoted (PRECONDITION_FAILED).',
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({
      member: await ctx.platform.members.updateRole(
        ctx.principal,
        expectType(input.id, 'Member'),
        input.role,
      ),
    }),
  },
  { outputFields: (t) => ({ member: t.field({ type: MemberRef, resolve: (p) => p.member }) }) },
);

builder.relayMutationField(
  'removeMember',
  { inputFields: (t) => ({ id: t.globalID({ required: true }) }) },
  {
    description:
      'Revokes every key the member holds. Removing an owner needs an owner; the last owner stays.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => {
      const member = await ctx.platform.members.remove(ctx.principal, expectType(input.id, 'Member'));
      return { removedMemberId: member.id };
    },
  },
  {
    outputFields: (t) => ({
      removedMemberId: t.id({ resolve: (p) => encodeGlobalID('Member', p.removedMemberId) }),
    }),
  },
);
