import { LockMode } from '@mikro-orm/core';
import { type Orm, WebhookAttemptSchema, WebhookDeliverySchema, WebhookEndpointSchema } from '@pakati/db';
import { retryDelay } from './webhook-retry-schedule.ts';

const MAX_RETRY_AFTER_MS = 7 * 24 * 3600 * 1000;

import type { WebhookResponse } from './webhook-sender.ts';

export interface AttemptOutcome {
  /** The delay before the next attempt, or null when the delivery is finished. */
  retryInMs: number | null;
  /** The first attempt of this delivery (or of its redelivery): the next event of the run may go now. */
  first: boolean;
}

const isSuccess = (status: number | null) => status !== null && status >= 200 && status < 300;

/**
 * Logs one attempt and moves the delivery on: 2xx SUCCEEDED; 410 Gone FAILED and the endpoint disabled (the
 * receiver says it is gone for good); anything else retried on the schedule, then FAILED. The row is locked and
 * the attempt count checked again, so a job that ran twice (a stalled BullMQ job) logs its attempt once.
 */
export async function logWebhookAttempt(
  orm: Orm,
  retrySchedule: readonly number[],
  deliveryId: string,
  attempt: number,
  response: WebhookResponse,
): Promise<AttemptOutcome | null> {
  return orm.em.fork().transactional(async (tx) => {
    const delivery = await tx.findOne(
      WebhookDeliverySchema,
      { id: deliveryId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (delivery?.status !== 'PENDING') return null;
    if ((await tx.count(WebhookAttemptSchema, { delivery })) !== attempt) return null;
    const now = new Date();
    const gone = response.statusCode === 410;
    const error =
      response.error ?? (gone ? '410 Gone: the endpoint is disabled until it is enabled again' : null);
    tx.create(WebhookAttemptSchema, {
      delivery,
      attempt: attempt + 1,
      statusCode: response.statusCode,
      error,
      responseBody: response.responseBody,
      durationMs: response.durationMs,
    });
    delivery.attempts += 1;
    delivery.lastStatusCode = response.statusCode;
    delivery.lastError = error;
    let retryInMs: number | null = null;
    if (isSuccess(response.statusCode)) {
      delivery.status = 'SUCCEEDED';
      delivery.deliveredAt = now;
    } else if (gone) {
      delivery.status = 'FAILED';
      await tx.nativeUpdate(WebhookEndpointSchema, { id: delivery.endpoint.id }, { disabled: true });
    } else {
      retryInMs = retryDelay(retrySchedule, delivery.attempts);
      if (retryInMs === null) delivery.status = 'FAILED';
      // A receiver that says when to come back is not asked sooner (within the schedule's own 7-day bound).
      else if (response.retryAfterMs)
        retryInMs = Math.max(retryInMs, Math.min(response.retryAfterMs, MAX_RETRY_AFTER_MS));
    }
    delivery.nextAttemptAt = retryInMs === null ? null : new Date(now.getTime() + retryInMs);
    return { retryInMs, first: delivery.attempts === 1 };
  });
}

/** A delivery to a disabled endpoint is not sent: it fails without an attempt (redeliver after enabling). */
export async function failUnsent(orm: Orm, deliveryId: string, reason: string): Promise<void> {
  await orm.em
    .fork()
    .nativeUpdate(
      WebhookDeliverySchema,
      { id: deliveryId, status: 'PENDING' },
      { status: 'FAILED', lastError: reason, nextAttemptAt: null },
    );
}
