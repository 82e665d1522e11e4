import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { OrganizationSchema } from './organization.entity.ts';

export const WEBHOOK_EVENT_TYPES = [
  'run.started',
  'run.progress',
  'run.iteration',
  'run.completed',
  'run.failed',
  'run.cancelled',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * A signing secret (`whsec_` + base64). Rotation adds a new one and gives the old one an expiry, so receivers
 * that still hold it keep verifying until then (deliveries are signed with every live secret).
 */
export interface WebhookSecret {
  secret: string;
  createdAt: string;
  expiresAt: string | null;
}

export const WebhookEndpointSchema = defineEntity({
  name: 'WebhookEndpoint',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    organization: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    url: p.text(),
    description: p.string().nullable(),
    eventTypes: p.json<WebhookEventType[]>(),
    secrets: p.json<WebhookSecret[]>(),
    disabled: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [{ properties: ['organization', 'createdAt'] }],
});
export type WebhookEndpoint = InferEntity<typeof WebhookEndpointSchema>;
