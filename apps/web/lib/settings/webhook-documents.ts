import { graphql } from '../graphql';

export const WebhookEndpointFields = graphql(`
  fragment WebhookEndpointFields on WebhookEndpoint {
    id
    url
    description
    disabled
    eventTypes
    createdAt
    signingSecrets { createdAt expiresAt }
  }
`);

export const WebhookEndpointsQuery = graphql(
  `
  query WebhookEndpoints($first: Int!) {
    webhookEndpoints(first: $first) {
      edges { node { ...WebhookEndpointFields } }
    }
  }
`,
  [WebhookEndpointFields],
);

export const WebhookDeliveriesQuery = graphql(`
  query WebhookDeliveries($id: ID!, $first: Int!) {
    node(id: $id) {
      ... on WebhookEndpoint {
        id
        deliveries(first: $first) {
          edges {
            node {
              id
              eventType
              status
              createdAt
              deliveredAt
              nextAttemptAt
              lastStatusCode
              lastError
              runId
              attempts { attempt at statusCode error durationMs }
            }
          }
        }
      }
    }
  }
`);

export const CreateWebhookEndpointMutation = graphql(
  `
  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) { secret webhookEndpoint { ...WebhookEndpointFields } }
  }
`,
  [WebhookEndpointFields],
);

export const UpdateWebhookEndpointMutation = graphql(
  `
  mutation UpdateWebhookEndpoint($input: UpdateWebhookEndpointInput!) {
    updateWebhookEndpoint(input: $input) { webhookEndpoint { ...WebhookEndpointFields } }
  }
`,
  [WebhookEndpointFields],
);

export const DeleteWebhookEndpointMutation = graphql(`
  mutation DeleteWebhookEndpoint($input: DeleteWebhookEndpointInput!) {
    deleteWebhookEndpoint(input: $input) { deletedWebhookEndpointId }
  }
`);

export const RotateWebhookSecretMutation = graphql(
  `
  mutation RotateWebhookSecret($input: RotateWebhookSecretInput!) {
    rotateWebhookSecret(input: $input) { secret webhookEndpoint { ...WebhookEndpointFields } }
  }
`,
  [WebhookEndpointFields],
);

export const RedeliverWebhookMutation = graphql(`
  mutation RedeliverWebhook($input: RedeliverWebhookInput!) {
    redeliverWebhook(input: $input) { delivery { id status } }
  }
`);
