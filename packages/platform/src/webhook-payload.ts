import type { RunEventType, WebhookEventType } from '@pakati/db';
import { isBlobKey } from './blob-store.ts';
import type { ImageAccess } from './image-access.ts';
import type { RunEventContext } from './run-event-log.ts';
import type { RunEventRecord } from './run-event-record.ts';

/** The run events a webhook can carry; the others (QUEUED, STEP, RETRY) stay internal. */
export const WEBHOOK_EVENT_OF: Partial<Record<RunEventType, WebhookEventType>> = {
  STARTED: 'run.started',
  PROGRESS: 'run.progress',
  ITERATION: 'run.iteration',
  COMPLETED: 'run.completed',
  FAILED: 'run.failed',
  CANCELLED: 'run.cancelled',
};

/** The same global ids the GraphQL API uses (Relay: base64 of `Type:uuid`), so a receiver can query them. */
const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');

function mapJson(value: unknown, visit: (key: string, value: unknown) => [string, unknown]): unknown {
  if (Array.isArray(value)) return value.map((v) => mapJson(v, visit));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const [key, mapped] = visit(k, v);
      return [key, mapJson(mapped, visit)];
    }),
  );
}

/**
 * The Standard Webhooks body as stored in the outbox: `{ type, timestamp, data }`, where data is the run event's
 * payload with the run's identity. Ids are GraphQL global ids; image keys stay keys until `renderWebhookBody`.
 */
export function webhookPayload(
  type: WebhookEventType,
  event: RunEventRecord,
  run: RunEventContext,
): Record<string, unknown> {
  const payload = mapJson(event.payload, (key, value) =>
    key === 'regionId' && typeof value === 'string' ? [key, globalId('Region', value)] : [key, value],
  ) as Record<string, unknown>;
  return {
    type,
    timestamp: event.at,
    data: {
      ...payload,
      runId: globalId('Run', event.runId),
      projectId: globalId('Project', run.projectId),
      kind: run.kind,
      status: run.status,
      seq: event.seq,
    },
  };
}

const IMAGE_KEY = /^(.+)Key$/;

/**
 * The JSON actually sent: every blob key (`imageKey`, `bestImageKey`, `previewKey`...) becomes a signed URL
 * (`imageUrl`, `bestImageUrl`, `previewUrl`...) made at send time, so a retry hours later still carries a working
 * link and no image is ever inlined.
 */
export function renderWebhookBody(payload: Record<string, unknown>, images: ImageAccess): string {
  return JSON.stringify(
    mapJson(payload, (key, value) => {
      const match = IMAGE_KEY.exec(key);
      if (!match || typeof value !== 'string' || !isBlobKey(value)) return [key, value];
      return [`${match[1]}Url`, images.signedUrl(value)];
    }),
  );
}
