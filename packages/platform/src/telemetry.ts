import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BullMQOtel } from 'bullmq-otel';
import type { Config } from './config.ts';

/** Where the OTLP/HTTP exporter posts: the configured endpoint's /v1/traces, as the collector serves it. */
function tracesUrl(endpoint: string): string {
  return new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).toString();
}

/**
 * Starts OpenTelemetry tracing (OTLP over HTTP, JSON) when an endpoint is configured (PAKATI_OTEL_ENDPOINT or
 * OTEL_EXPORTER_OTLP_ENDPOINT); call it before anything opens a span and shut it down last, as that flushes the
 * spans still batched. Returns null, having started nothing, otherwise: every span is then OpenTelemetry's no-op
 * one. Only traces: Prometheus covers metrics and pino logs.
 */
export function startTelemetry(config: Config, service: string): NodeSDK | null {
  const endpoint = config.observability.otlpEndpoint;
  if (!endpoint) return null;
  const sdk = new NodeSDK({
    serviceName: config.observability.serviceName ?? `pakati-${service}`,
    traceExporter: new OTLPTraceExporter({ url: tracesUrl(endpoint) }),
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return sdk;
}

/**
 * bullmq-otel for createPlatform's queues and the workers when tracing is configured: producers put the active
 * trace context into each job and workers resume it, so one trace spans the API and the worker processes.
 */
export function queueTelemetry(config: Config): BullMQOtel | undefined {
  return config.observability.otlpEndpoint ? new BullMQOtel({ tracerName: 'pakati' }) : undefined;
}
