import type { EffectiveRuleSet } from '@pakati/platform';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';

const RuleSetRef = builder.objectRef<EffectiveRuleSet>('RuleSet').implement({
  description:
    "The fuzzy rules in force: the project's own, else its organization's, else the shipped default.",
  fields: (t) => ({
    text: t.exposeString('text', {
      description: 'One rule per line: IF <var> IS [hedge] <term> ... THEN <var> IS <term> [WITH w].',
    }),
    source: t.exposeString('source', { description: 'default, organization or project.' }),
    version: t.exposeInt('version'),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.updatedAt }),
  }),
});

builder.queryField('ruleSet', (t) =>
  t.field({
    type: RuleSetRef,
    args: { projectId: t.arg.globalID() },
    resolve: (_root, { projectId }, ctx) =>
      ctx.platform.ruleSets.effective(
        ctx.principal.organizationId,
        projectId ? expectType(projectId, 'Project') : null,
      ),
  }),
);

builder.relayMutationField(
  'updateRuleSet',
  {
    inputFields: (t) => ({
      projectId: t.globalID({ description: 'Omit to set the organization-wide rules.' }),
      text: t.string({ required: true }),
    }),
  },
  {
    authScopes: (_root, { input }) => (input.projectId ? { write: true } : { admin: true }),
    resolve: async (_root, { input }, ctx) => ({
      ruleSet: await ctx.platform.ruleSets.update(ctx.principal.organizationId, {
        projectId: input.projectId ? expectType(input.projectId, 'Project') : null,
        text: input.text,
      }),
    }),
  },
  { outputFields: (t) => ({ ruleSet: t.field({ type: RuleSetRef, resolve: (p) => p.ruleSet }) }) },
);

builder.relayMutationField(
  'resetRuleSet',
  { inputFields: (t) => ({ projectId: t.globalID() }) },
  {
    authScopes: (_root, { input }) => (input.projectId ? { write: true } : { admin: true }),
    resolve: async (_root, { input }, ctx) => ({
      ruleSet: await ctx.platform.ruleSets.reset(
        ctx.principal.organizationId,
        input.projectId ? expectType(input.projectId, 'Project') : null,
      ),
    }),
  },
  { outputFields: (t) => ({ ruleSet: t.field({ type: RuleSetRef, resolve: (p) => p.ruleSet }) }) },
);
