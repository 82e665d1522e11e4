import { isAsyncIterable, type Plugin } from '@envelop/core';
import type { DocumentNode, ExecutionResult } from 'graphql';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { errorCode, operationLabels } from './operation-labels.ts';

/** Operation names come from clients: past this many distinct ones, new names count as `other`. */
export const MAX_OPERATION_NAMES = 500;

export interface GraphqlMetrics {
  requests: Counter<'operation' | 'type' | 'outcome'>;
  duration: Histogram<'operation' | 'type'>;
  errors: Counter<'operation' | 'code'>;
  activeSubscriptions: Gauge<'operation'>;
}

export function createGraphqlMetrics(registry: Registry): GraphqlMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'pakati_graphql_requests_total',
      help: 'GraphQL operations by name, type and outcome (success, error, invalid).',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    }),
    duration: new Histogram({
      name: 'pakati_graphql_request_duration_seconds',
      help: 'Execution time of GraphQL queries and mutations.',
      labelNames: ['operation', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    errors: new Counter({
      name: 'pakati_graphql_errors_total',
      help: 'GraphQL errors returned, by operation and error code.',
      labelNames: ['operation', 'code'],
      registers,
    }),
    activeSubscriptions: new Gauge({
      name: 'pakati_graphql_active_subscriptions',
      help: 'GraphQL subscriptions open now.',
      labelNames: ['operation'],
      registers,
    }),
  };
}

/** Counts and times every operation over HTTP and WebSocket (graphql-ws runs through the same envelop). */
export function useGraphqlMetrics(metrics: GraphqlMetrics, maxOperationNames = MAX_OPERATION_NAMES): Plugin {
  const names = new Set<string>();
  const labels = (document: DocumentNode, operationName?: string | null) => {
    const { operation, type } = operationLabels(document, operationName);
    if (names.size < maxOperationNames) names.add(operation);
    return { operation: names.has(operation) ? operation : 'other', type };
  };
  const countErrors = (operation: string, errors: readonly Error[] | undefined, fallback?: string) => {
    for (const error of errors ?? []) metrics.errors.inc({ operation, code: errorCode(error, fallback) });
  };
  return {
    onValidate({ params }) {
      return ({ valid, result }) => {
        if (valid) return;
        const { operation, type } = labels(params.documentAST);
        metrics.requests.inc({ operation, type, outcome: 'invalid' });
        countErrors(operation, result, 'GRAPHQL_VALIDATION_FAILED');
      };
    },
    onExecute({ args }) {
      const { operation, type } = labels(args.document, args.operationName);
      const stop = metrics.duration.startTimer({ operation, type });
      let failed = false;
      const seen = (result: ExecutionResult) => {
        if (result.errors?.length) failed = true;
        countErrors(operation, result.errors);
      };
      const done = () => {
        stop();
        metrics.requests.inc({ operation, type, outcome: failed ? 'error' : 'success' });
      };
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) {
            seen(result);
            return done();
          }
          return { onNext: ({ result: next }) => seen(next), onEnd: done };
        },
      };
    },
    onSubscribe({ args }) {
      const { operation, type } = labels(args.document, args.operationName);
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) {
            countErrors(operation, result.errors);
            metrics.requests.inc({ operation, type, outcome: 'error' });
            return;
          }
          metrics.activeSubscriptions.inc({ operation });
          let failed = false;
          return {
            onNext: ({ result: next }) => {
              if (next.errors?.length) failed = true;
              countErrors(operation, next.errors);
            },
            onEnd: () => {
              metrics.activeSubscriptions.dec({ operation });
              metrics.requests.inc({ operation, type, outcome: failed ? 'error' : 'success' });
            },
          };
        },
        onSubscribeError() {
          metrics.errors.inc({ operation, code: 'INTERNAL_SERVER_ERROR' });
          metrics.requests.inc({ operation, type, outcome: 'error' });
        },
      };
    },
  };
}
