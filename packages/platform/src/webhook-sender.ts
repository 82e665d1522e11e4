import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { parseRetryAfter } from '@pakati/core';
import {
  bareHost,
  guardedLookup,
  isAllowedAddress,
  type PrivateTargetPolicy,
  WebhookTargetRefusedError,
} from './webhook-target-guard.ts';

const WEBHOOK_USER_AGENT = 'Pakati-Webhooks/1';
/** Enough of a receiver's answer to debug it from the delivery log. */
const MAX_RESPONSE_BODY_BYTES = 2048;

export interface WebhookResponse {
  /** Null when no HTTP answer came (refused target, DNS, connection, timeout). */
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  durationMs: number;
  /** A 429 or 503 receiver's Retry-After, in ms; null when it sent none (or another status). */
  retryAfterMs?: number | null;
}

export interface WebhookSendOptions {
  policy: PrivateTargetPolicy;
  timeoutMs: number;
  /** Aborts the request (a worker shutting down); the caller then records nothing. */
  signal?: AbortSignal;
}

const describe = (error: unknown, timedOut: boolean, timeoutMs: number): string => {
  if (timedOut) return `no answer within ${timeoutMs} ms`;
  if (error instanceof WebhookTargetRefusedError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
};

/**
 * POSTs one signed message. node:http, not fetch: it never follows redirects (a 3xx is a failed attempt, so a
 * receiver cannot bounce us to an internal address) and it takes the `lookup` that refuses forbidden addresses at
 * connect time. Never throws: every outcome is something to log.
 */
export async function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: WebhookSendOptions,
): Promise<WebhookResponse> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(target);
  const host = bareHost(url);
  // An IP literal is connected to without a lookup, so it is checked here.
  if (isIP(host) && !isAllowedAddress(host, options.policy)) {
    const error = new WebhookTargetRefusedError(host, host).message;
    return { statusCode: null, error, responseBody: null, durationMs: elapsed() };
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const client = url.protocol === 'https:' ? https : http;

  return new Promise<WebhookResponse>((resolve) => {
    let settled = false;
    const settle = (response: Omit<WebhookResponse, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...response, durationMs: elapsed() });
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': WEBHOOK_USER_AGENT,
        },
        lookup: guardedLookup(options.policy),
        // A fresh connection per attempt: every one goes through the guarded lookup.
        agent: false,
        signal,
      },
      (response) => {
        const statusCode = response.statusCode ?? null;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BODY_BYTES) chunks.push(chunk);
          size += chunk.length;
          // The status is what counts; the rest of a large answer is not worth waiting for.
          if (size >= MAX_RESPONSE_BODY_BYTES) response.destroy();
        });
        response.on('error', () => {});
        response.on('close', () => {
          const text = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BODY_BYTES).toString('utf8');
          const location = response.headers.location;
          const redirected = statusCode !== null && statusCode >= 300 && statusCode < 400;
          const asksToWait = statusCode === 429 || statusCode === 503;
          const retryAfter = response.headers['retry-after'];
          settle({
            retryAfterMs: asksToWait ? (parseRetryAfter(retryAfter ?? null) ?? null) : null,
            statusCode,
            error: redirected ? `redirect not followed${location ? ` (location: ${location})` : ''}` : null,
            responseBody: text.length > 0 ? text : null,
          });
        });
      },
    );
    request.on('error', (error) =>
      settle({
        statusCode: null,
        error: describe(error, timeout.aborted, options.timeoutMs),
        responseBody: null,
      }),
    );
    request.end(body);
  });
}
