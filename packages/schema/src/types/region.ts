import type { Region } from '@pakati/db';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';
import { GenerationStepRef } from './generation-step.ts';

export const PointRef = builder.objectRef<{ x: number; y: number }>('Point').implement({
  fields: (t) => ({ x: t.exposeFloat('x'), y: t.exposeFloat('y') }),
});

export const PointInput = builder.inputType('PointInput', {
  fields: (t) => ({ x: t.float({ required: true }), y: t.float({ required: true }) }),
});

export const RegionRef = builder.node(builder.objectRef<Region>('Region'), {
  id: { resolve: (r) => r.id },
  loadOne: (id, ctx) => ctx.platform.projects.findRegion(ctx.principal.organizationId, id),
  fields: (t) => ({
    points: t.field({ type: [PointRef], resolve: (r) => r.points }),
    prompt: t.exposeString('prompt'),
    negativePrompt: t.string({ nullable: true, resolve: (r) => r.negativePrompt ?? null }),
    model: t.string({
      nullable: true,
      description: 'The backend this region must use; null lets the selector choose.',
      resolve: (r) => r.model ?? null,
    }),
    seed: t.float({
      nullable: true,
      description: 'Unsigned 32-bit seed; null derives one from the run seed.',
      resolve: (r) => r.seed ?? null,
    }),
    zOrder: t.exposeInt('zOrder'),
    feather: t.exposeInt('feather', { description: 'Edge softness in pixels.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    generationHistory: t.field({
      type: [GenerationStepRef],
      description: "This region's generation steps across runs, newest first.",
      args: { first: t.arg.int({ defaultValue: 20 }) },
      resolve: (r, args, ctx) =>
        ctx.platform.history.projectHistory(
          r.project.id,
          { limit: Math.min(100, Math.max(1, args.first ?? 20)), inverted: false },
          r.id,
        ),
    }),
  }),
});

builder.relayMutationField(
  'addRegion',
  {
    inputFields: (t) => ({
      projectId: t.globalID({ required: true }),
      points: t.field({ type: [PointInput], required: true }),
      prompt: t.string({ required: true }),
      negativePrompt: t.string(),
      model: t.string(),
      seed: t.float(),
      zOrder: t.int(),
      feather: t.int(),
    }),
  },
  {
    resolve: async (_root, { input }, ctx) => {
      const region = await ctx.platform.projects.addRegion(
        ctx.principal.organizationId,
        expectType(input.projectId, 'Project'),
        input,
      );
      return { region };
    },
  },
  { outputFields: (t) => ({ region: t.field({ type: RegionRef, resolve: (p) => p.region }) }) },
);

builder.relayMutationField(
  'updateRegion',
  {
    inputFields: (t) => ({
      id: t.globalID({ required: true }),
      points: t.field({ type: [PointInput] }),
      prompt: t.string(),
      negativePrompt: t.string(),
      model: t.string(),
      seed: t.float(),
      zOrder: t.int(),
      feather: t.int(),
    }),
  },
  {
    resolve: async (_root, { input }, ctx) => {
      const { id, ...patch } = input;
      const region = await ctx.platform.projects.updateRegion(
        ctx.principal.organizationId,
        expectType(id, 'Region'),
        patch,
      );
      return { region };
    },
  },
  { outputFields: (t) => ({ region: t.field({ type: RegionRef, resolve: (p) => p.region }) }) },
);

builder.relayMutationField(
  'removeRegion',
  { inputFields: (t) => ({ id: t.globalID({ required: true }) }) },
  {
    resolve: async (_root, { input }, ctx) => {
      await ctx.platform.projects.removeRegion(ctx.principal.organizationId, expectType(input.id, 'Region'));
      return { removedRegionId: input.id };
    },
  },
  {
    outputFields: (t) => ({
      removedRegionId: t.id({ resolve: (p) => encodeGlobalID('Region', p.removedRegionId.id) }),
    }),
  },
);
