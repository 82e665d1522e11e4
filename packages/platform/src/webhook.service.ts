import { LockMode } from '@mikro-orm/core';
import { PakatiError } from '@pakati/core';
import {
  type Orm,
  WEBHOOK_EVENT_TYPES,
  type WebhookAttempt,
  WebhookAttemptSchema,
  type WebhookDelivery,
  WebhookDeliverySchema,
  type WebhookEndpoint,
  WebhookEndpointSchema,
  type WebhookEventType,
} from '@pakati/db';
import type { Config } from './config.ts';
import { keysetQuery, type PageQuery } from './keyset-page.ts';
import { isUuid } from './project.service.ts';
import type { WebhookDispatch } from './webhook-dispatch.ts';
import { generateWebhookSecret, rotateSecrets } from './webhook-signing.ts';
import { checkWebhookUrl } from './webhook-target-guard.ts';

export interface WebhookEndpointInput {
  url: string;
  eventTypes: readonly string[];
  description?: string | null;
}

/** Absent or null leaves a field as it is, except `description`, where null clears it. */
export type WebhookEndpointPatch = {
  [K in keyof WebhookEndpointInput]?: WebhookEndpointInput[K] | null;
} & { disabled?: boolean | null };

/** An endpoint with the secret that was just made: the only time it is shown. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 3600;
const MAX_ROTATION_OVERLAP_SECONDS = 7 * 24 * 3600;
const MAX_DESCRIPTION = 255;
/** The delivery log shows the latest attempts; older ones stay in the table. */
const MAX_LISTED_ATTEMPTS = 100;

function checkEventTypes(types: readonly string[]): WebhookEventType[] {
  const unique = [...new Set(types)];
  const unknown = unique.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unique.length === 0 || unknown.length > 0) {
    throw new PakatiError(
      'BAD_USER_INPUT',
      `eventTypes must name at least one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
      { field: 'eventTypes' },
    );
  }
  return unique as WebhookEventType[];
}

function checkDescription(value: string | null | undefined): string | null {
  const text = value?.trim() ?? '';
  if (text.length > MAX_DESCRIPTION) {
    throw new PakatiError('BAD_USER_INPUT', `description is longer than ${MAX_DESCRIPTION} characters`, {
      field: 'description',
    });
  }
  return text.length > 0 ? text : null;
}

/**
 * Webhook endpoints, their signing secrets and their delivery log, always scoped to one organization: another
 * tenant's ids are NOT_FOUND. Secrets are stored as they are (the worker signs with them) and shown only when made.
 */
export class WebhookService {
  constructor(
    private readonly orm: Orm,
    private readonly dispatch: WebhookDispatch,
    private readonly config: Config['webhooks'],
  ) {}

  async listEndpoints(organizationId: string, page: PageQuery): Promise<WebhookEndpoint[]> {
    const { where, options } = keysetQuery(page);
    return (
      this.orm.em
        .fork()
        // biome-ignore lint/suspicious/noExplicitAny: MikroORM's FilterQuery cannot type a composed keyset condition
        .find(WebhookEndpointSchema, { organization: organizationId, ...where } as any, options)
    );
  }

  async findEndpoint(organizationId: string, id: string): Promise<WebhookEndpoint | null> {
    if (!isUuid(id)) return null;
    return this.orm.em.fork().findOne(WebhookEndpointSchema, { id, organization: organizationId });
  }

  private async getEndpoint(organizationId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.findEndpoint(organizationId, id);
    if (!endpoint) throw new PakatiError('NOT_FOUND', 'webhook endpoint not found');
    return endpoint;
  }

  async createEndpoint(organizationId: string, input: WebhookEndpointInput): Promise<EndpointWithSecret> {
    const eventTypes = checkEventTypes(input.eventTypes);
    const description = checkDescription(input.description);
    const url = await checkWebhookUrl(input.url, this.config.allowPrivateTargets);
    const em = this.orm.em.fork();
    // Every endpoint is written to on every matching run event: the count per organization is bounded.
    if (
      (await em.count(WebhookEndpointSchema, { organization: organizationId })) >= this.config.maxEndpoints
    ) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        `an organization has at most ${this.config.maxEndpoints} webhook endpoints; delete one first`,
        { field: 'url', reason: 'TOO_MANY_ENDPOINTS', limit: this.config.maxEndpoints },
      );
    }
    const secret = generateWebhookSecret();
    const endpoint = em.create(WebhookEndpointSchema, {
      organization: organizationId,
      url,
      description,
      eventTypes,
      secrets: [{ secret, createdAt: new Date().toISOString(), expiresAt: null }],
    });
    await em.flush();
    return { endpoint, secret };
  }

  async updateEndpoint(
    organizationId: string,
    id: string,
    patch: WebhookEndpointPatch,
  ): Promise<WebhookEndpoint> {
    const em = this.orm.em.fork();
    const endpoint = isUuid(id)
      ? await em.findOne(WebhookEndpointSchema, { id, organization: organizationId })
      : null;
    if (!endpoint) throw new PakatiError('NOT_FOUND', 'webhook endpoint not found');
    if (patch.url !== undefined && patch.url !== null) {
      endpoint.url = await checkWebhookUrl(patch.url, this.config.allowPrivateTargets);
    }
    if (patch.eventTypes !== undefined && patch.eventTypes !== null) {
      endpoint.eventTypes = checkEventTypes(patch.eventTypes);
    }
    if (patch.description !== undefined) endpoint.description = checkDescription(patch.description);
    if (patch.disabled !== undefined && patch.disabled !== null) endpoint.disabled = patch.disabled;
    await em.flush();
    return endpoint;
  }

  /** Its deliveries and their attempts go with it; jobs still queued for them find nothing and stop. */
  async deleteEndpoint(organizationId: string, id: string): Promise<void> {
    const deleted = isUuid(id)
      ? await this.orm.em.fork().nativeDelete(WebhookEndpointSchema, { id, organization: organizationId })
      : 0;
    if (deleted === 0) throw new PakatiError('NOT_FOUND', 'webhook endpoint not found');
  }

  /**
   * A new signing secret; the current ones keep signing for `overlapSeconds` (default 24 h, 0 ends them now), so
   * receivers can switch without rejecting anything in between.
   */
  async rotateSecret(
    organizationId: string,
    id: string,
    overlapSeconds: number | null | undefined,
  ): Promise<EndpointWithSecret> {
    const overlap = overlapSeconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS;
    if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_ROTATION_OVERLAP_SECONDS) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        `overlapSeconds must be an integer in [0, ${MAX_ROTATION_OVERLAP_SECONDS}]`,
        { field: 'overlapSeconds' },
      );
    }
    await this.getEndpoint(organizationId, id);
    return this.orm.em.fork().transactional(async (tx) => {
      // Locked: two rotations at once must not both keep only their own new secret.
      const endpoint = await tx.findOneOrFail(
        WebhookEndpointSchema,
        { id, organization: organizationId },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      const rotated = rotateSecrets(endpoint.secrets, overlap, new Date());
      endpoint.secrets = rotated.secrets;
      return { endpoint, secret: rotated.secret };
    });
  }

  async listDeliveries(endpointId: string, page: PageQuery): Promise<WebhookDelivery[]> {
    const { where, options } = keysetQuery(page);
    return (
      this.orm.em
        .fork()
        // biome-ignore lint/suspicious/noExplicitAny: MikroORM's FilterQuery cannot type a composed keyset condition
        .find(WebhookDeliverySchema, { endpoint: endpointId, ...where } as any, options)
    );
  }

  async findDelivery(organizationId: string, id: string): Promise<WebhookDelivery | null> {
    if (!isUuid(id)) return null;
    return this.orm.em.fork().findOne(WebhookDeliverySchema, { id, organization: organizationId });
  }

  /** Oldest first; at most the latest 100. */
  async listAttempts(deliveryId: string): Promise<WebhookAttempt[]> {
    const latest = await this.orm.em
      .fork()
      .find(
        WebhookAttemptSchema,
        { delivery: deliveryId },
        { orderBy: { attempt: 'desc' }, limit: MAX_LISTED_ATTEMPTS },
      );
    return latest.reverse();
  }

  /**
   * Sends a finished (SUCCEEDED or FAILED) delivery again: same `webhook-id`, so receivers can deduplicate, a
   * fresh retry schedule, and new attempts appended to its log.
   */
  async redeliver(organizationId: string, deliveryId: string): Promise<WebhookDelivery> {
    if (!isUuid(deliveryId)) throw new PakatiError('NOT_FOUND', 'webhook delivery not found');
    const delivery = await this.orm.em.fork().transactional(async (tx) => {
      const found = await tx.findOne(
        WebhookDeliverySchema,
        { id: deliveryId, organization: organizationId },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!found) throw new PakatiError('NOT_FOUND', 'webhook delivery not found');
      if (found.status === 'PENDING') {
        throw new PakatiError('PRECONDITION_FAILED', 'the delivery is still being attempted', {
          reason: 'DELIVERY_PENDING',
        });
      }
      const endpoint = await tx.findOneOrFail(WebhookEndpointSchema, { id: found.endpoint.id });
      if (endpoint.disabled) {
        throw new PakatiError('PRECONDITION_FAILED', 'the endpoint is disabled; enable it first', {
          reason: 'ENDPOINT_DISABLED',
        });
      }
      found.status = 'PENDING';
      found.attempts = 0;
      found.nextAttemptAt = new Date();
      return found;
    });
    await this.dispatch.dispatch([delivery.id]);
    return delivery;
  }
}
