import { isAsyncIterable, type Plugin } from '@envelop/core';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ExecutionResult } from 'graphql';
import { operationLabels } from './operation-labels.ts';

const tracer = trace.getTracer('pakati-api');

function record(span: Span, result: ExecutionResult): void {
  if (!result.errors?.length) return;
  span.setStatus({ code: SpanStatusCode.ERROR, message: result.errors[0]!.message });
  span.setAttribute('graphql.error.count', result.errors.length);
}

/**
 * One span per GraphQL operation, active while it executes, so what the resolvers do (the BullMQ jobs they enqueue
 * above all) joins its trace. Without an SDK the tracer is OpenTelemetry's no-op one.
 */
export function useGraphqlTracing(): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const { operation, type } = operationLabels(args.document, args.operationName);
      const span = tracer.startSpan(`graphql.${type} ${operation}`, {
        kind: SpanKind.SERVER,
        attributes: { 'graphql.operation.name': operation, 'graphql.operation.type': type },
      });
      const active = trace.setSpan(context.active(), span);
      setExecuteFn((execArgs) => context.with(active, () => executeFn(execArgs)));
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) {
            record(span, result);
            return span.end();
          }
          return { onNext: ({ result: next }) => record(span, next), onEnd: () => span.end() };
        },
      };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const { operation } = operationLabels(args.document, args.operationName);
      const span = tracer.startSpan(`graphql.subscription ${operation}`, {
        kind: SpanKind.SERVER,
        attributes: { 'graphql.operation.name': operation, 'graphql.operation.type': 'subscription' },
      });
      const active = trace.setSpan(context.active(), span);
      setSubscribeFn((subArgs) => context.with(active, () => subscribeFn(subArgs)));
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) {
            record(span, result);
            return span.end();
          }
          return { onEnd: () => span.end() };
        },
        onSubscribeError({ error }) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
          span.end();
        },
      };
    },
  };
}
