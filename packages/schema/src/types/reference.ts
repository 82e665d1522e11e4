import { PakatiError, UNDERSTOOD_THRESHOLD } from '@pakati/core';
import type { Reference, ReferenceUnderstanding, UnderstandingAttempt } from '@pakati/db';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';
// A cycle (project.ts lists references), safe because both refs are only read inside field thunks.
import { ProjectRef } from './project.ts';

const AttemptRef = builder.objectRef<UnderstandingAttempt>('UnderstandingAttempt').implement({
  fields: (t) => ({
    difficulty: t.exposeFloat('difficulty'),
    score: t.exposeFloat('score'),
    ssim: t.exposeFloat('ssim'),
    colorDeltaE: t.exposeFloat('colorDeltaE'),
    hiddenFraction: t.exposeFloat('hiddenFraction'),
  }),
});

const StrategyLevelRef = builder.objectRef<ReferenceUnderstanding>('StrategyUnderstanding').implement({
  fields: (t) => ({
    strategy: t.exposeString('strategy'),
    level: t.float({ resolve: (u) => Number(u.level) }),
    mastery: t.exposeBoolean('mastery', { description: 'level >= 0.85' }),
    backend: t.exposeString('backend'),
    attempts: t.field({ type: [AttemptRef], resolve: (u) => u.attempts }),
  }),
});

const UnderstandingRef = builder
  .objectRef<{ level: number; understood: boolean; strategies: ReferenceUnderstanding[]; assessedAt: Date }>(
    'Understanding',
  )
  .implement({
    description: 'How well the reference was reconstructed from partial views, per masking strategy.',
    fields: (t) => ({
      level: t.exposeFloat('level'),
      understood: t.exposeBoolean('understood', { description: 'level >= 0.75' }),
      strategies: t.field({ type: [StrategyLevelRef], resolve: (u) => u.strategies }),
      assessedAt: t.field({ type: 'DateTime', resolve: (u) => u.assessedAt }),
    }),
  });

export const ReferenceRef = builder.node(builder.objectRef<Reference>('Reference'), {
  id: { resolve: (r) => r.id },
  loadOne: (id, ctx) => ctx.platform.references.findReference(ctx.principal.organizationId, id),
  fields: (t) => ({
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    contentType: t.exposeString('contentType'),
    byteSize: t.exposeInt('byteSize'),
    description: t.string({ nullable: true, resolve: (r) => r.description ?? null }),
    regionId: t.id({
      nullable: true,
      description: "The Region's global id, as Region.id has it; null for a project-wide reference.",
      resolve: (r) => (r.region ? encodeGlobalID('Region', r.region.id) : null),
    }),
    imageUrl: t.string({
      description:
        'A signed URL that expires; fetch it again through the API for a fresh one. maxSide (16-2048) scales it down, for thumbnails.',
      args: { maxSide: t.arg.int() },
      resolve: (r, args, ctx) => ctx.platform.images.signedUrl(r.blobKey, { maxSide: args.maxSide }),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    understanding: t.field({
      type: UnderstandingRef,
      nullable: true,
      description: 'The latest assessment (an UNDERSTAND run); null until one has finished.',
      resolve: async (r, _args, ctx) => {
        const rows = await ctx.platform.references.latestUnderstanding(r.id);
        if (rows.length === 0) return null;
        const level = rows.reduce((sum, row) => sum + Number(row.level), 0) / rows.length;
        return {
          level,
          understood: level >= UNDERSTOOD_THRESHOLD,
          strategies: rows,
          assessedAt: rows[0]!.createdAt,
        };
      },
    }),
  }),
});

builder.relayMutationField(
  'addReference',
  {
    inputFields: (t) => ({
      projectId: t.globalID({ required: true }),
      regionId: t.globalID(),
      description: t.string(),
      image: t.field({ type: 'Upload', required: true }),
    }),
  },
  {
    resolve: async (_root, { input }, ctx) => {
      const maxBytes = ctx.platform.config.limits.uploadBytes;
      // Refuse on the declared size before buffering anything.
      if (input.image.size > maxBytes) {
        throw new PakatiError('IMAGE_TOO_LARGE', `image is larger than ${maxBytes} bytes`, { maxBytes });
      }
      await ctx.platform.quotas.assertStorage(ctx.principal.organizationId, input.image.size);
      const reference = await ctx.platform.references.addReference(ctx.principal.organizationId, {
        projectId: expectType(input.projectId, 'Project'),
        regionId: input.regionId ? expectType(input.regionId, 'Region') : null,
        description: input.description ?? null,
        bytes: Buffer.from(await input.image.arrayBuffer()),
      });
      return { reference };
    },
  },
  { outputFields: (t) => ({ reference: t.field({ type: ReferenceRef, resolve: (p) => p.reference }) }) },
);

builder.relayMutationField(
  'removeReference',
  { inputFields: (t) => ({ id: t.globalID({ required: true }) }) },
  {
    description:
      'Removes a reference from its project. Finished runs keep their record of it. PRECONDITION_FAILED while an UNDERSTAND run of it is queued or running.',
    authScopes: { write: true },
    resolve: async (_root, { input }, ctx) => {
      const removed = await ctx.platform.references.removeReference(
        ctx.principal.organizationId,
        expectType(input.id, 'Reference'),
      );
      const project = await ctx.platform.projects.getProject(ctx.principal.organizationId, removed.projectId);
      return { removedReferenceId: removed.id, project };
    },
  },
  {
    outputFields: (t) => ({
      removedReferenceId: t.id({ resolve: (p) => encodeGlobalID('Reference', p.removedReferenceId) }),
      project: t.field({
        type: ProjectRef,
        description: 'The project it was removed from, to refetch its references.',
        resolve: (p) => p.project,
      }),
    }),
  },
);
