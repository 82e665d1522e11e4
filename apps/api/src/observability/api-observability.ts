import type { Plugin } from '@envelop/core';
import { createMetricsRegistry } from '@pakati/platform';
import type { Registry } from 'prom-client';
import { createGraphqlMetrics, type GraphqlMetrics, useGraphqlMetrics } from './graphql-metrics.plugin.ts';
import { useGraphqlTracing } from './graphql-tracing.plugin.ts';

export interface ApiObservability {
  registry: Registry;
  graphql: GraphqlMetrics;
  /** The envelop plugins that count, time and trace every GraphQL operation. */
  plugins: Plugin[];
}

export function createApiObservability(): ApiObservability {
  const registry = createMetricsRegistry('api');
  const graphql = createGraphqlMetrics(registry);
  return { registry, graphql, plugins: [useGraphqlMetrics(graphql), useGraphqlTracing()] };
}
