import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventType,
  type WebhookSecret,
} from '@pakati/db';
import { keysetCursor, webhookMessageId } from '@pakati/platform';
import { encodeGlobalID, resolveCursorConnection } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { expectType } from '../ids.ts';

/** GraphQL enum names cannot hold dots: RUN_COMPLETED stands for `run.completed`, the type receivers see. */
const WebhookEventTypeEnum = builder.enumType('WebhookEventType', {
  values: Object.fromEntries(
    WEBHOOK_EVENT_TYPES.map((type) => [
      type.replace('.', '_').toUpperCase(),
      { value: type, description: `\`${type}\` in the webhook payload.` },
    ]),
  ) as Record<string, { value: WebhookEventType; description: string }>,
});

const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  values: WEBHOOK_DELIVERY_STATUSES,
});

const SigningSecretRef = builder.objectRef<WebhookSecret>('WebhookSigningSecret').implement({
  description: 'A secret that signs deliveries (its value is shown only when it is made).',
  fields: (t) => ({
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Set once a newer secret replaced it: it keeps signing until then.',
      resolve: (s) => s.expiresAt,
    }),
  }),
});

const WebhookAttemptRef = builder.objectRef<WebhookAttempt>('WebhookAttempt').implement({
  description: 'One HTTP attempt of a delivery, as the delivery log keeps it.',
  fields: (t) => ({
    attempt: t.exposeInt('attempt', { description: "1, 2, 3... over the delivery's whole life." }),
    statusCode: t.int({
      nullable: true,
      description:
        'The HTTP status the receiver answered; null when none came (refused, unreachable, timeout).',
      resolve: (a) => a.statusCode ?? null,
    }),
    error: t.string({ nullable: true, resolve: (a) => a.error ?? null }),
    responseBody: t.string({
      nullable: true,
      description: "The start of the receiver's answer (2 KB at most).",
      resolve: (a) => a.responseBody ?? null,
    }),
    durationMs: t.exposeInt('durationMs'),
    at: t.field({ type: 'DateTime', resolve: (a) => a.createdAt }),
  }),
});

export const WebhookDeliveryRef = builder.node(builder.objectRef<WebhookDelivery>('WebhookDelivery'), {
  id: { resolve: (d) => d.id },
  loadOne: (id, ctx) => ctx.platform.webhooks.findDelivery(ctx.principal.organizationId, id),
  authScopes: { admin: true },
  description: 'One message to one endpoint, with every attempt to deliver it.',
  fields: (t) => ({
    webhookId: t.string({
      description: 'The `webhook-id` header: the same on every retry and redelivery, to deduplicate by.',
      resolve: (d) => webhookMessageId(d.id),
    }),
    eventType: t.field({ type: WebhookEventTypeEnum, resolve: (d) => d.eventType as WebhookEventType }),
    runId: t.id({ nullable: true, resolve: (d) => (d.run ? encodeGlobalID('Run', d.run.id) : null) }),
    eventSeq: t.int({ nullable: true, resolve: (d) => d.eventSeq ?? null }),
    status: t.field({ type: WebhookDeliveryStatusEnum, resolve: (d) => d.status }),
    lastStatusCode: t.int({ nullable: true, resolve: (d) => d.lastStatusCode ?? null }),
    lastError: t.string({ nullable: true, resolve: (d) => d.lastError ?? null }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due (PENDING only).',
      resolve: (d) => d.nextAttemptAt ?? null,
    }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.deliveredAt ?? null }),
    createdAt: t.field({ type: 'DateTime', resolve: (d) => d.createdAt }),
    attempts: t.field({
      type: [WebhookAttemptRef],
      description: 'Oldest first (the latest 100).',
      resolve: (d, _args, ctx) => ctx.platform.webhooks.listAttempts(d.id),
    }),
  }),
});

export const WebhookEndpointRef = builder.node(builder.objectRef<WebhookEndpoint>('WebhookEndpoint'), {
  id: { resolve: (e) => e.id },
  loadOne: (id, ctx) => ctx.platform.webhooks.findEndpoint(ctx.principal.organizationId, id),
  authScopes: { admin: true },
  description:
    "A receiver of this organization's run events, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).",
  fields: (t) => ({
    url: t.exposeString('url'),
    description: t.string({ nullable: true, resolve: (e) => e.description ?? null }),
    eventTypes: t.field({ type: [WebhookEventTypeEnum], resolve: (e) => e.eventTypes }),
    disabled: t.exposeBoolean('disabled', {
      description: 'Disabled endpoints get nothing; a receiver answering 410 Gone disables its endpoint.',
    }),
    signingSecrets: t.field({
      type: [SigningSecretRef],
      description: 'Live secrets; every delivery carries one signature per secret.',
      resolve: (e) => e.secrets.filter((s) => s.expiresAt === null || new Date(s.expiresAt) > new Date()),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (e) => e.updatedAt }),
    deliveries: t.connection({
      type: WebhookDeliveryRef,
      description: 'The delivery log, newest first.',
      resolve: (e, args, ctx) =>
        resolveCursorConnection<Promise<WebhookDelivery[]>>(
          { args, toCursor: (d: WebhookDelivery) => keysetCursor(d), defaultSize: 20, maxSize: 50 },
          (page) => ctx.platform.webhooks.listDeliveries(e.id, page),
        ),
    }),
  }),
});

builder.queryField('webhookEndpoints', (t) =>
  t.connection({
    type: WebhookEndpointRef,
    description: 'Newest first.',
    authScopes: { admin: true },
    resolve: (_root, args, ctx) =>
      resolveCursorConnection<Promise<WebhookEndpoint[]>>(
        { args, toCursor: (e: WebhookEndpoint) => keysetCursor(e), defaultSize: 20, maxSize: 100 },
        (page) => ctx.platform.webhooks.listEndpoints(ctx.principal.organizationId, page),
      ),
  }),
);

const secretField = {
  description: 'The signing secret (whsec_...). Shown this once: store it to verify deliveries.',
};

builder.relayMutationField(
  'createWebhookEndpoint',
  {
    inputFields: (t) => ({
      url: t.string({
        required: true,
        description: 'http(s); private and loopback addresses are refused unless the server allows them.',
      }),
      eventTypes: t.field({ type: [WebhookEventTypeEnum], required: true }),
      description: t.string(),
    }),
  },
  {
    authScopes: { admin: true },
    resolve: (_root, { input }, ctx) =>
      ctx.platform.webhooks.createEndpoint(ctx.principal.organizationId, input),
  },
  {
    outputFields: (t) => ({
      webhookEndpoint: t.field({ type: WebhookEndpointRef, resolve: (p) => p.endpoint }),
      secret: t.string({ ...secretField, resolve: (p) => p.secret }),
    }),
  },
);

builder.relayMutationField(
  'updateWebhookEndpoint',
  {
    inputFields: (t) => ({
      id: t.globalID({ required: true }),
      url: t.string(),
      eventTypes: t.field({ type: [WebhookEventTypeEnum] }),
      description: t.string({ description: 'null clears it.' }),
      disabled: t.boolean(),
    }),
  },
  {
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => {
      const { id, ...patch } = input;
      return {
        webhookEndpoint: await ctx.platform.webhooks.updateEndpoint(
          ctx.principal.organizationId,
          expectType(id, 'WebhookEndpoint'),
          patch,
        ),
      };
    },
  },
  {
    outputFields: (t) => ({
      webhookEndpoint: t.field({ type: WebhookEndpointRef, resolve: (p) => p.webhookEndpoint }),
    }),
  },
);

builder.relayMutationField(
  'deleteWebhookEndpoint',
  { inputFields: (t) => ({ id: t.globalID({ required: true }) }) },
  {
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => {
      await ctx.platform.webhooks.deleteEndpoint(
        ctx.principal.organizationId,
        expectType(input.id, 'WebhookEndpoint'),
      );
      return { id: input.id.id };
    },
  },
  {
    outputFields: (t) => ({
      deletedWebhookEndpointId: t.id({ resolve: (p) => encodeGlobalID('WebhookEndpoint', p.id) }),
    }),
  },
);

builder.relayMutationField(
  'rotateWebhookSecret',
  {
    inputFields: (t) => ({
      id: t.globalID({ required: true }),
      overlapSeconds: t.int({
        description:
          'How long the current secrets keep signing next to the new one: 0 to 604800 (7 days), default 86400.',
      }),
    }),
  },
  {
    authScopes: { admin: true },
    resolve: (_root, { input }, ctx) =>
      ctx.platform.webhooks.rotateSecret(
        ctx.principal.organizationId,
        expectType(input.id, 'WebhookEndpoint'),
        input.overlapSeconds,
      ),
  },
  {
    outputFields: (t) => ({
      webhookEndpoint: t.field({ type: WebhookEndpointRef, resolve: (p) => p.endpoint }),
      secret: t.string({ ...secretField, resolve: (p) => p.secret }),
    }),
  },
);

builder.relayMutationField(
  'redeliverWebhook',
  {
    inputFields: (t) => ({
      deliveryId: t.globalID({ required: true, description: 'A SUCCEEDED or FAILED delivery.' }),
    }),
  },
  {
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({
      delivery: await ctx.platform.webhooks.redeliver(
        ctx.principal.organizationId,
        expectType(input.deliveryId, 'WebhookDelivery'),
      ),
    }),
  },
  {
    outputFields: (t) => ({
      delivery: t.field({ type: WebhookDeliveryRef, resolve: (p) => p.delivery }),
    }),
  },
);
