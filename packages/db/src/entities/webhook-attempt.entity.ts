import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { WebhookDeliverySchema } from './webhook-delivery.entity.ts';

/** The delivery log: one row per HTTP attempt, with what the receiver answered (or why nothing came back). */
export const WebhookAttemptSchema = defineEntity({
  name: 'WebhookAttempt',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    delivery: () => p.manyToOne(WebhookDeliverySchema).deleteRule('cascade'),
    attempt: p.integer(),
    statusCode: p.integer().nullable(),
    error: p.text().nullable(),
    responseBody: p.text().nullable(),
    durationMs: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['delivery', 'createdAt'] }],
});
export type WebhookAttempt = InferEntity<typeof WebhookAttemptSchema>;
