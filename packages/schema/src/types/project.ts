import type { GenerationStep, Project, Run } from '@pakati/db';
import { keysetCursor } from '@pakati/platform';
import { encodeGlobalID, resolveCursorConnection } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';
import { GenerationStepRef } from './generation-step.ts';
import { ReferenceRef } from './reference.ts';
import { RegionRef } from './region.ts';
import { RunRef } from './run.ts';

export const ProjectRef = builder.node(builder.objectRef<Project>('Project'), {
  id: { resolve: (p) => p.id },
  loadOne: (id, ctx) => ctx.platform.projects.findProject(ctx.principal.organizationId, id),
  fields: (t) => ({
    name: t.exposeString('name'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    regions: t.field({
      type: [RegionRef],
      description: 'Bottom to top (ascending zOrder).',
      resolve: (p, _args, ctx) => ctx.platform.projects.listRegions(p.id),
    }),
    references: t.field({
      type: [ReferenceRef],
      resolve: (p, _args, ctx) => ctx.platform.references.listReferences(p.id),
    }),
    generationHistory: t.connection({
      type: GenerationStepRef,
      description: 'Every generation step of every run of this project, newest first.',
      args: { regionId: t.arg.globalID() },
      resolve: (p, args, ctx) =>
        resolveCursorConnection<Promise<GenerationStep[]>>(
          { args, toCursor: (step: GenerationStep) => keysetCursor(step), defaultSize: 20, maxSize: 100 },
          (page) =>
            ctx.platform.history.projectHistory(
              p.id,
              page,
              args.regionId ? expectType(args.regionId, 'Region') : undefined,
            ),
        ),
    }),
    runs: t.connection({
      type: RunRef,
      description: 'Newest first.',
      resolve: (p, args, ctx) =>
        resolveCursorConnection<Promise<Run[]>>(
          { args, toCursor: (run: Run) => keysetCursor(run), defaultSize: 20, maxSize: 100 },
          (page) => ctx.platform.runs.listRuns(p.id, page),
        ),
    }),
  }),
});

builder.queryFields((t) => ({
  project: t.field({
    type: ProjectRef,
    nullable: true,
    args: { id: t.arg.globalID({ required: true }) },
    resolve: (_root, { id }, ctx) =>
      id.typename === 'Project'
        ? ctx.platform.projects.findProject(ctx.principal.organizationId, id.id)
        : null,
  }),
  projects: t.connection({
    type: ProjectRef,
    description: 'Newest first.',
    resolve: (_root, args, ctx) =>
      resolveCursorConnection<Promise<Project[]>>(
        { args, toCursor: (project: Project) => keysetCursor(project), defaultSize: 20, maxSize: 100 },
        (page) => ctx.platform.projects.listProjects(ctx.principal.organizationId, page),
      ),
  }),
}));

builder.relayMutationField(
  'createProject',
  {
    inputFields: (t) => ({
      name: t.string({ required: true }),
      width: t.int({ required: true }),
      height: t.int({ required: true }),
    }),
  },
  {
    resolve: async (_root, { input }, ctx) => ({
      project: await ctx.platform.projects.createProject(ctx.principal.organizationId, input, (w, h) =>
        ctx.platform.quotas.assertCanvas(ctx.principal.tier, w, h),
      ),
    }),
  },
  { outputFields: (t) => ({ project: t.field({ type: ProjectRef, resolve: (p) => p.project }) }) },
);

builder.relayMutationField(
  'updateProject',
  {
    inputFields: (t) => ({
      id: t.globalID({ required: true }),
      name: t.string({ required: true }),
    }),
  },
  {
    description: 'Renames a project (the canvas size stays: regions are drawn in its pixels).',
    resolve: async (_root, { input }, ctx) => ({
      project: await ctx.platform.projects.renameProject(
        ctx.principal.organizationId,
        expectType(input.id, 'Project'),
        input.name,
      ),
    }),
  },
  { outputFields: (t) => ({ project: t.field({ type: ProjectRef, resolve: (p) => p.project }) }) },
);

builder.relayMutationField(
  'deleteProject',
  { inputFields: (t) => ({ id: t.globalID({ required: true }) }) },
  {
    description:
      'Deletes a project with its regions, references and runs. PRECONDITION_FAILED while a run is queued or running.',
    resolve: async (_root, { input }, ctx) => {
      await ctx.platform.projects.deleteProject(
        ctx.principal.organizationId,
        expectType(input.id, 'Project'),
      );
      return { id: input.id.id };
    },
  },
  {
    outputFields: (t) => ({
      deletedProjectId: t.id({ resolve: (p) => encodeGlobalID('Project', p.id) }),
    }),
  },
);
