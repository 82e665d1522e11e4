import type { GenerationStep } from '@pakati/db';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';

const FailoverRef = builder
  .objectRef<{ backend: string; kind: string; message: string }>('BackendFailover')
  .implement({
    fields: (t) => ({
      backend: t.exposeString('backend'),
      kind: t.exposeString('kind'),
      message: t.exposeString('message'),
    }),
  });

export const GenerationStepRef = builder.objectRef<GenerationStep>('GenerationStep').implement({
  description:
    'One generation step, kept as history: enough to reproduce it (seed, backend, model version, parameters).',
  fields: (t) => ({
    id: t.id({ resolve: (s) => encodeGlobalID('GenerationStep', s.id) }),
    runId: t.id({ resolve: (s) => encodeGlobalID('Run', typeof s.run === 'string' ? s.run : s.run.id) }),
    regionId: t.id({
      nullable: true,
      resolve: (s) => (s.regionId ? encodeGlobalID('Region', s.regionId) : null),
    }),
    operation: t.string({ resolve: (s) => s.operation }),
    backend: t.exposeString('backend'),
    model: t.exposeString('model'),
    modelVersion: t.exposeString('modelVersion'),
    seed: t.float({ resolve: (s) => s.seed }),
    prompt: t.exposeString('prompt'),
    enhancedPrompt: t.string({ nullable: true, resolve: (s) => s.enhancedPrompt ?? null }),
    negativePrompt: t.string({ nullable: true, resolve: (s) => s.negativePrompt ?? null }),
    parameters: t.string({ description: 'JSON.', resolve: (s) => JSON.stringify(s.parameters) }),
    failovers: t.field({ type: [FailoverRef], resolve: (s) => s.failovers }),
    durationMs: t.exposeInt('durationMs'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    imageUrl: t.string({ resolve: (s, _args, ctx) => ctx.platform.images.signedUrl(s.imageKey) }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
  }),
});
