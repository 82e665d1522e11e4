import { randomBytes } from 'node:crypto';
import type { WebhookSecret } from '@pakati/db';
import { Webhook } from 'standardwebhooks';

/** Standard Webhooks secrets: `whsec_` + base64 of random bytes (24 to 64 are allowed; we use 32). */
export const generateWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** The `webhook-id` of a delivery: stable across its retries and redeliveries, so receivers can deduplicate. */
export const webhookMessageId = (deliveryId: string) => `msg_${deliveryId.replaceAll('-', '')}`;

/** The secrets that still sign, newest first; an expired one (rotated out, overlap over) signs nothing. */
export function liveSecrets(secrets: readonly WebhookSecret[], now: Date): string[] {
  return secrets
    .filter((s) => s.expiresAt === null || new Date(s.expiresAt) > now)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((s) => s.secret);
}

/**
 * A new secret, and the old ones expiring after `overlapSeconds` (sooner if they already expire sooner), so
 * receivers that still verify with the old secret keep working until they have switched.
 */
export function rotateSecrets(
  secrets: readonly WebhookSecret[],
  overlapSeconds: number,
  now: Date,
): { secrets: WebhookSecret[]; secret: string } {
  const until = new Date(now.getTime() + overlapSeconds * 1000);
  const kept = secrets
    .filter((s) => s.expiresAt === null || new Date(s.expiresAt) > now)
    .map((s) => ({
      ...s,
      expiresAt: s.expiresAt !== null && new Date(s.expiresAt) < until ? s.expiresAt : until.toISOString(),
    }))
    .filter((s) => new Date(s.expiresAt) > now);
  const secret = generateWebhookSecret();
  return { secret, secrets: [...kept, { secret, createdAt: now.toISOString(), expiresAt: null }] };
}

/** The `webhook-signature` header: one `v1,<base64>` per live secret, space-separated, as the spec allows. */
function signWebhook(id: string, timestamp: Date, body: string, secrets: readonly string[]): string {
  return secrets.map((secret) => new Webhook(secret).sign(id, timestamp, body)).join(' ');
}

/** The three Standard Webhooks headers; the timestamp is the attempt's, which receivers check for freshness. */
export function webhookHeaders(
  id: string,
  timestamp: Date,
  body: string,
  secrets: readonly string[],
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signWebhook(id, timestamp, body, secrets),
  };
}
