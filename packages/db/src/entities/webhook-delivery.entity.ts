import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { OrganizationSchema } from './organization.entity.ts';
import { RunSchema } from './run.entity.ts';
import { WebhookEndpointSchema } from './webhook-endpoint.entity.ts';

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * One message to one endpoint (an outbox row, written in the same transaction as the run event it reports).
 * Its id is the `webhook-id`, stable across retries and redeliveries. (endpoint, run, eventSeq) is unique, so a
 * repeated write adds nothing.
 */
export const WebhookDeliverySchema = defineEntity({
  name: 'WebhookDelivery',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    endpoint: () => p.manyToOne(WebhookEndpointSchema).deleteRule('cascade'),
    run: () => p.manyToOne(RunSchema).nullable().deleteRule('set null'),
    eventType: p.string(),
    eventSeq: p.integer().nullable(),
    payload: p.json<Record<string, unknown>>(),
    status: p.enum(WEBHOOK_DELIVERY_STATUSES).default('PENDING'),
    attempts: p.integer().default(0),
    lastStatusCode: p.integer().nullable(),
    lastError: p.text().nullable(),
    nextAttemptAt: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['endpoint', 'run', 'eventSeq'] }],
  indexes: [{ properties: ['endpoint', 'createdAt'] }, { properties: ['status', 'nextAttemptAt'] }],
});
export type WebhookDelivery = InferEntity<typeof WebhookDeliverySchema>;
