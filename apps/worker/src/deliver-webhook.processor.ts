import { WebhookAttemptSchema, WebhookDeliverySchema } from '@pakati/db';
import { deliverWebhookJob } from '@pakati/jobs';
import {
  failUnsent,
  liveSecrets,
  logWebhookAttempt,
  postWebhook,
  renderWebhookBody,
  webhookHeaders,
  webhookMessageId,
} from '@pakati/platform';
import { defineProcessor } from './processor-registry.ts';

/**
 * One HTTP attempt of one delivery, then the next step: a delayed job for the retry, and the next event of the
 * run for this endpoint once this one has had its first attempt. The receiver's answer never fails the job; only
 * an infrastructure error (the database) does, and the sweep picks the delivery up again after that.
 */
export const deliverWebhookProcessor = defineProcessor({
  contract: deliverWebhookJob,

  async process({ deliveryId, attempt }, { platform, signal }) {
    const { config, webhookDispatch, orm } = platform;
    const em = orm.em.fork();
    const delivery = await em.findOne(WebhookDeliverySchema, { id: deliveryId }, { populate: ['endpoint'] });
    if (delivery?.status !== 'PENDING') return;
    // Another job made this attempt already (a repeated enqueue), or an earlier event of the run goes first.
    if ((await em.count(WebhookAttemptSchema, { delivery })) !== attempt) return;
    if (await webhookDispatch.waitsForEarlier(em, delivery)) return;
    const endpoint = delivery.endpoint;
    if (endpoint.disabled) {
      await failUnsent(orm, delivery.id, 'the endpoint is disabled; not sent');
      await webhookDispatch.handOff(delivery);
      return;
    }

    const now = new Date();
    const body = renderWebhookBody(delivery.payload, platform.images);
    const headers = webhookHeaders(
      webhookMessageId(delivery.id),
      now,
      body,
      liveSecrets(endpoint.secrets, now),
    );
    const response = await postWebhook(endpoint.url, headers, body, {
      policy: config.webhooks.allowPrivateTargets,
      timeoutMs: config.webhooks.timeoutMs,
      signal,
    });
    // Shutting down: the job goes back to the queue and this attempt is not counted.
    signal.throwIfAborted();

    const outcome = await logWebhookAttempt(
      orm,
      config.webhooks.retryScheduleMs,
      delivery.id,
      attempt,
      response,
    );
    if (!outcome) return;
    if (outcome.retryInMs !== null) {
      await platform.queues
        .enqueueWebhookDelivery(delivery.id, attempt + 1, outcome.retryInMs)
        .catch((err: unknown) =>
          platform.logger.warn({ err, deliveryId }, 'webhook retry enqueue failed; the sweep will retry'),
        );
    }
    if (outcome.first) await webhookDispatch.handOff(delivery);
  },

  async onFinalFailure({ deliveryId }, error, { platform }) {
    // The delivery stays PENDING; its finished job is removed, so the sweep can enqueue the attempt again.
    platform.logger.error({ err: error, deliveryId }, 'webhook attempt could not run');
  },
});
