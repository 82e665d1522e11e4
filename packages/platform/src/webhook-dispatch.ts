import type { EntityManager } from '@mikro-orm/core';
import { type Orm, WebhookAttemptSchema, type WebhookDelivery, WebhookDeliverySchema } from '@pakati/db';
import type { JobQueues } from '@pakati/jobs';
import type { Logger } from './logger.ts';

type Placed = Pick<WebhookDelivery, 'id' | 'endpoint' | 'run' | 'eventSeq'>;

const SWEEP_BATCH = 500;

/**
 * Decides which webhook deliveries get a job, and gives it one. Per run and endpoint, first attempts go in seq
 * order: a delivery waits while an earlier event of its run for the same endpoint has not had its first attempt,
 * and that one hands over once it has. Retries do not hold anything up, so a failing message never delays the
 * rest of its run by hours. Enqueueing never throws: a lost job is found again by `sweep`.
 */
export class WebhookDispatch {
  constructor(
    private readonly orm: Orm,
    private readonly queues: JobQueues,
    private readonly logger: Logger,
  ) {}

  /** Enqueues the next attempt of each of these PENDING deliveries whose turn it is. */
  async dispatch(deliveryIds: readonly string[]): Promise<void> {
    const em = this.orm.em.fork();
    const deliveries = await em.find(WebhookDeliverySchema, {
      id: { $in: [...deliveryIds] },
      status: 'PENDING',
    });
    for (const delivery of deliveries) await this.enqueueInTurn(em, delivery);
  }

  /** After a delivery's first attempt: the next event of the same run for the same endpoint may go. */
  async handOff(delivery: Placed): Promise<void> {
    if (!delivery.run || delivery.eventSeq === null || delivery.eventSeq === undefined) return;
    const em = this.orm.em.fork();
    const next = await em.findOne(
      WebhookDeliverySchema,
      {
        endpoint: delivery.endpoint,
        run: delivery.run,
        eventSeq: { $gt: delivery.eventSeq },
        status: 'PENDING',
        attempts: 0,
      },
      { orderBy: { eventSeq: 'asc' } },
    );
    if (next) await this.enqueueInTurn(em, next);
  }

  /** True while an earlier event of the same run for the same endpoint still waits for its first attempt. */
  async waitsForEarlier(em: EntityManager, delivery: Placed): Promise<boolean> {
    if (!delivery.run || delivery.eventSeq === null || delivery.eventSeq === undefined) return false;
    const earlier = await em.count(WebhookDeliverySchema, {
      endpoint: delivery.endpoint,
      run: delivery.run,
      eventSeq: { $lt: delivery.eventSeq },
      status: 'PENDING',
      attempts: 0,
    });
    return earlier > 0;
  }

  /**
   * Deliveries overdue by more than `overdueMs` lost their job (the commit succeeded, the enqueue did not, or
   * Redis lost it): enqueue them again. A job that still exists is not duplicated (same job id).
   */
  async sweep(overdueMs: number): Promise<void> {
    const em = this.orm.em.fork();
    const overdue = await em.find(
      WebhookDeliverySchema,
      { status: 'PENDING', nextAttemptAt: { $lt: new Date(Date.now() - overdueMs) } },
      { orderBy: { nextAttemptAt: 'asc' }, limit: SWEEP_BATCH },
    );
    for (const delivery of overdue) await this.enqueueInTurn(em, delivery);
  }

  private async enqueueInTurn(em: EntityManager, delivery: Placed): Promise<void> {
    if (await this.waitsForEarlier(em, delivery)) return;
    const attempt = await em.count(WebhookAttemptSchema, { delivery: delivery.id });
    try {
      await this.queues.enqueueWebhookDelivery(delivery.id, attempt);
    } catch (err) {
      this.logger.warn({ err, deliveryId: delivery.id }, 'webhook enqueue failed; the sweep will retry');
    }
  }
}
