import { AsyncLocalStorage } from 'node:async_hooks';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type DestinationStream, pino } from 'pino';

export type Logger = pino.Logger;

/** Fields every log line written inside a request or a job carries, wherever in the code it is written. */
export interface LogContext {
  requestId?: string;
  runId?: string;
  jobId?: string;
  queue?: string;
}

const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to every line logged within it, across awaits. */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

const CENSOR = '[redacted]';

/** Keys whose value is a secret wherever they sit: headers, config objects, payloads. */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  '["set-cookie"]',
  '["x-api-key"]',
  'password',
  'secret',
  'secrets',
  'token',
  'apiKey',
  'apiToken',
  'adminToken',
  'metricsToken',
  'urlSigningSecret',
  'webhookSecret',
  'signingSecret',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => {
  const step = k.startsWith('[') ? k : `.${k}`;
  return [k.startsWith('[') ? k.slice(2, -2) : k, `*${step}`, `*.*${step}`, `*.*.*${step}`];
});

/** Secrets that can hide inside free text: our API keys, Standard Webhooks secrets, a password in a URL. */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/\bpk_[A-Za-z0-9_-]{8,}/g, `pk_${CENSOR}`],
  [/\bwhsec_[A-Za-z0-9+/=]{8,}/g, `whsec_${CENSOR}`],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]+@/gi, `$1:${CENSOR}@`],
];

const SECRET_ENV = /(SECRET|TOKEN|PASSWORD|API_KEY)/;

/** The configured secret values (PAKATI_*SECRET*, *_TOKEN, *_PASSWORD, *_API_KEY) a log line must never show. */
export function secretValues(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([key, value]) => SECRET_ENV.test(key) && typeof value === 'string' && value.length >= 8)
    .map(([, value]) => value as string);
}

export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(CENSOR);
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function scrubValue(
  value: unknown,
  secrets: readonly string[],
  seen: WeakSet<object>,
  depth: number,
): unknown {
  if (typeof value === 'string') return scrubSecrets(value, secrets);
  if (value === null || typeof value !== 'object' || depth > 8 || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, seen, depth + 1));
  // Errors are left to the `err` serializer, which scrubs them; other class instances are not ours to walk.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, scrubValue(v, secrets, seen, depth + 1)]),
  );
}

/** The active span's ids, so a log line leads to its trace; nothing when tracing is off. */
function traceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
}

export interface LoggerOptions {
  /** Exact secret values to censor wherever they appear (see `secretValues`). */
  secrets?: readonly string[];
  /** Where lines go; stdout unless given (tests capture them). */
  destination?: DestinationStream;
}

export function createLogger(name: string, level: string, options: LoggerOptions = {}): Logger {
  const secrets = [...new Set(options.secrets ?? [])];
  return pino(
    {
      name,
      level,
      base: { service: name },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      mixin: () => ({ ...logContext.getStore(), ...traceIds() }),
      serializers: {
        err: (error: Error) => scrubValue({ ...pino.stdSerializers.err(error) }, secrets, new WeakSet(), 0),
      },
      formatters: {
        log: (object) => scrubValue(object, secrets, new WeakSet(), 0) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubSecrets(a, secrets) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}
