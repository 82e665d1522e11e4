import type { ModelSummary } from '@pakati/platform';
import { builder } from '../builder.ts';

const CapabilitiesRef = builder
  .objectRef<NonNullable<ModelSummary['capabilities']>>('BackendCapabilities')
  .implement({
    fields: (t) => ({
      maxWidth: t.exposeInt('maxWidth'),
      maxHeight: t.exposeInt('maxHeight'),
      sizeMultiple: t.exposeInt('sizeMultiple'),
      txt2img: t.exposeBoolean('txt2img'),
      img2img: t.exposeBoolean('img2img'),
      inpainting: t.exposeBoolean('inpainting'),
      regionalPrompting: t.exposeBoolean('regionalPrompting'),
      negativePrompt: t.exposeBoolean('negativePrompt'),
      deterministicSeeds: t.exposeBoolean('deterministicSeeds'),
      costPerImage: t.exposeFloat('costPerImage', { description: 'USD per image.' }),
      rateLimitPerMinute: t.int({ nullable: true, resolve: (c) => c.rateLimitPerMinute }),
    }),
  });

const PerformanceRef = builder.objectRef<ModelSummary['performance']>('BackendPerformance').implement({
  description: 'Recent calls across the workers (a rolling window per worker).',
  fields: (t) => ({
    successes: t.exposeInt('successes'),
    failures: t.exposeInt('failures'),
    successRate: t.float({
      nullable: true,
      resolve: (p) => (p.successes + p.failures ? p.successes / (p.successes + p.failures) : null),
    }),
    p50LatencyMs: t.float({ nullable: true, resolve: (p) => p.p50LatencyMs }),
  }),
});

const ModelRef = builder.objectRef<ModelSummary>('Model').implement({
  description: 'A generation backend as the workers see it.',
  fields: (t) => ({
    name: t.exposeString('name'),
    capabilities: t.field({
      type: CapabilitiesRef,
      nullable: true,
      description: 'Null until a worker has reported it.',
      resolve: (m) => m.capabilities,
    }),
    workers: t.exposeInt('workers', {
      description: 'Workers that reported this backend in the last minute.',
    }),
    circuit: t.exposeString('circuit', {
      description: 'closed, half-open (some workers open) or open (all).',
    }),
    available: t.exposeBoolean('available'),
    performance: t.field({ type: PerformanceRef, resolve: (m) => m.performance }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (m) => m.updatedAt }),
  }),
});

builder.queryField('models', (t) =>
  t.field({
    type: [ModelRef],
    description:
      'Every enabled backend with its capabilities, health, circuit state and recorded performance.',
    resolve: (_root, _args, ctx) =>
      ctx.platform.backendStatus.summaries(ctx.platform.config.backends.enabled),
  }),
);
