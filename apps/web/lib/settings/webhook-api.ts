import { gqlRequest } from '../api';
import { type ResultOf, readFragment, type VariablesOf } from '../graphql';
import {
  CreateWebhookEndpointMutation,
  DeleteWebhookEndpointMutation,
  RedeliverWebhookMutation,
  RotateWebhookSecretMutation,
  UpdateWebhookEndpointMutation,
  WebhookDeliveriesQuery,
  WebhookEndpointFields,
  WebhookEndpointsQuery,
} from './webhook-documents';

export type WebhookEndpoint = ResultOf<typeof WebhookEndpointFields>;
type DeliveriesNode = NonNullable<ResultOf<typeof WebhookDeliveriesQuery>['node']>;
export type WebhookDelivery = Extract<
  DeliveriesNode,
  { deliveries: unknown }
>['deliveries']['edges'][number]['node'];
export type WebhookAttempt = WebhookDelivery['attempts'][number];
export type CreateWebhookInput = VariablesOf<typeof CreateWebhookEndpointMutation>['input'];
export type UpdateWebhookInput = VariablesOf<typeof UpdateWebhookEndpointMutation>['input'];

/** An endpoint together with its signing secret, which the API shows only at creation and rotation. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

/**
 * Everything the webhooks settings ask of the API. The component takes it as a prop (defaulting to
 * {@link graphqlWebhooksApi}) so tests can script the server.
 */
export interface WebhooksApi {
  endpoints(): Promise<WebhookEndpoint[]>;
  deliveries(endpointId: string): Promise<WebhookDelivery[]>;
  create(input: CreateWebhookInput): Promise<EndpointWithSecret>;
  update(input: UpdateWebhookInput): Promise<WebhookEndpoint>;
  remove(endpointId: string): Promise<void>;
  rotateSecret(endpointId: string): Promise<EndpointWithSecret>;
  redeliver(deliveryId: string): Promise<void>;
}

/** The API caps endpoints per organization well below this, so one page holds them all. */
const MAX_ENDPOINTS = 100;
/** The newest deliveries; older ones stay in the API's log. */
export const DELIVERIES_SHOWN = 20;

export const graphqlWebhooksApi: WebhooksApi = {
  async endpoints() {
    const data = await gqlRequest(WebhookEndpointsQuery, { first: MAX_ENDPOINTS });
    return data.webhookEndpoints.edges.map((edge) => readFragment(WebhookEndpointFields, edge.node));
  },
  async deliveries(endpointId) {
    const data = await gqlRequest(WebhookDeliveriesQuery, { id: endpointId, first: DELIVERIES_SHOWN });
    const node = data.node;
    if (!node || !('deliveries' in node)) return [];
    return node.deliveries.edges.map((edge) => edge.node);
  },
  async create(input) {
    const { createWebhookEndpoint: payload } = await gqlRequest(CreateWebhookEndpointMutation, { input });
    return { endpoint: readFragment(WebhookEndpointFields, payload.webhookEndpoint), secret: payload.secret };
  },
  async update(input) {
    const data = await gqlRequest(UpdateWebhookEndpointMutation, { input });
    return readFragment(WebhookEndpointFields, data.updateWebhookEndpoint.webhookEndpoint);
  },
  async remove(endpointId) {
    await gqlRequest(DeleteWebhookEndpointMutation, { input: { id: endpointId } });
  },
  async rotateSecret(endpointId) {
    const { rotateWebhookSecret: payload } = await gqlRequest(RotateWebhookSecretMutation, {
      input: { id: endpointId },
    });
    return { endpoint: readFragment(WebhookEndpointFields, payload.webhookEndpoint), secret: payload.secret };
  },
  async redeliver(deliveryId) {
    await gqlRequest(RedeliverWebhookMutation, { input: { deliveryId } });
  },
};
