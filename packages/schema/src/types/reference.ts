import { PakatiError } from '@pakati/core';
import type { Reference } from '@pakati/db';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';

export const ReferenceRef = builder.node(builder.objectRef<Reference>('Reference'), {
  id: { resolve: (r) => r.id },
  loadOne: (id, ctx) => ctx.platform.references.findReference(ctx.principal.organizationId, id),
  fields: (t) => ({
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    contentType: t.exposeString('contentType'),
    byteSize: t.exposeInt('byteSize'),
    description: t.string({ nullable: true, resolve: (r) => r.description ?? null }),
    regionId: t.id({ nullable: true, resolve: (r) => (r.region ? r.region.id : null) }),
    imageUrl: t.string({
      description: 'A signed URL that expires; fetch it again through the API for a fresh one.',
      resolve: (r, _args, ctx) => ctx.platform.images.signedUrl(r.blobKey),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
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
