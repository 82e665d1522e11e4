import { randomUUID } from 'node:crypto';
import { WebhookDeliverySchema, WebhookEndpointSchema } from '@pakati/db';
import type { RunEventLog } from './run-event-log.ts';
import type { RunEventRecord } from './run-event-record.ts';
import type { WebhookDispatch } from './webhook-dispatch.ts';
import { WEBHOOK_EVENT_OF, webhookPayload } from './webhook-payload.ts';

/**
 * The transactional outbox: inside each run event's transaction, one delivery row per enabled endpoint of the
 * run's organization that subscribes to the event, so a committed event always has its deliveries and a rolled
 * back one has none. After the commit the new deliveries are enqueued; if that fails, the worker's sweep does it.
 * Endpoints are read in every event's transaction rather than cached, so a new endpoint gets the next event.
 */
export function registerWebhookOutbox(eventLog: RunEventLog, dispatch: WebhookDispatch): void {
  // The record handed to the hook is the one handed to the commit listener; a rolled-back one is just dropped.
  const written = new WeakMap<RunEventRecord, string[]>();

  eventLog.addTransitionHook(async (tx, event, run) => {
    const type = WEBHOOK_EVENT_OF[event.type];
    if (!type) return;
    const endpoints = await tx.find(
      WebhookEndpointSchema,
      { organization: run.organizationId, disabled: false },
      { fields: ['id', 'eventTypes'] },
    );
    const subscribed = endpoints.filter((endpoint) => endpoint.eventTypes.includes(type));
    if (subscribed.length === 0) return;
    const payload = webhookPayload(type, event, run);
    const ids = subscribed.map((endpoint) => {
      const id = randomUUID();
      tx.create(WebhookDeliverySchema, {
        id,
        organization: run.organizationId,
        endpoint: endpoint.id,
        run: event.runId,
        eventType: type,
        eventSeq: event.seq,
        payload,
        nextAttemptAt: new Date(event.at),
      });
      return id;
    });
    written.set(event, ids);
  });

  eventLog.onCommitted(async (event) => {
    const ids = written.get(event);
    if (ids) await dispatch.dispatch(ids);
  });
}
