import { Ajv2019 } from 'ajv/dist/2019.js';
import { at } from './repo-files.ts';

// Written from KEDA's documented ScaledObject / TriggerAuthentication specification (keda.sh/docs, "ScaledObject
// specification", "Redis Lists" scaler, "Authentication"). Only the parts we use are described in detail; unknown
// fields are refused so a typo does not silently fall back to a default.

const nonNegative = { type: 'integer', minimum: 0 };
const numericString = { type: 'string', pattern: '^\\d+(\\.\\d+)?$' };
const k8sName = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 253 };
const metadata = {
  type: 'object',
  required: ['name'],
  properties: {
    name: k8sName,
    namespace: k8sName,
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

const trigger = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'metadata'],
  properties: {
    type: { type: 'string', minLength: 1 },
    // Referenced by scalingModifiers.formula, so an identifier of that expression language.
    name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    // KEDA reads every metadata value as a string: a bare YAML number is refused by the API server.
    metadata: { type: 'object', additionalProperties: { type: 'string' } },
    authenticationRef: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: k8sName,
        kind: { enum: ['TriggerAuthentication', 'ClusterTriggerAuthentication'] },
      },
    },
    metricType: { enum: ['AverageValue', 'Value', 'Utilization'] },
    useCachedMetrics: { type: 'boolean' },
  },
  allOf: [
    {
      if: { type: 'object', properties: { type: { enum: ['redis', 'redis-cluster', 'redis-sentinel'] } } },
      // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword here.
      then: {
        type: 'object',
        properties: {
          metadata: {
            type: 'object',
            required: ['listName', 'listLength'],
            properties: {
              listName: { type: 'string', minLength: 1 },
              listLength: numericString,
              activationListLength: numericString,
              databaseIndex: numericString,
              enableTLS: { enum: ['true', 'false'] },
            },
          },
        },
      },
    },
  ],
};

export const scaledObjectSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'keda.sh/v1alpha1' },
    kind: { const: 'ScaledObject' },
    metadata,
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['scaleTargetRef', 'triggers'],
      properties: {
        scaleTargetRef: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            name: k8sName,
            envSourceContainerName: { type: 'string' },
          },
        },
        pollingInterval: { type: 'integer', minimum: 1 },
        initialCooldownPeriod: nonNegative,
        cooldownPeriod: nonNegative,
        idleReplicaCount: nonNegative,
        minReplicaCount: nonNegative,
        maxReplicaCount: { type: 'integer', minimum: 1 },
        fallback: {
          type: 'object',
          additionalProperties: false,
          required: ['failureThreshold', 'replicas'],
          properties: {
            failureThreshold: { type: 'integer', minimum: 1 },
            replicas: nonNegative,
            behavior: {
              enum: ['static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower'],
            },
          },
        },
        advanced: {
          type: 'object',
          additionalProperties: false,
          properties: {
            restoreToOriginalReplicaCount: { type: 'boolean' },
            horizontalPodAutoscalerConfig: {
              type: 'object',
              additionalProperties: false,
              properties: { name: { type: 'string' }, behavior: { type: 'object' } },
            },
            scalingModifiers: {
              type: 'object',
              additionalProperties: false,
              required: ['formula', 'target'],
              properties: {
                formula: { type: 'string', minLength: 1 },
                target: numericString,
                activationTarget: numericString,
                metricType: { enum: ['AverageValue', 'Value'] },
              },
            },
          },
        },
        triggers: { type: 'array', minItems: 1, items: trigger },
      },
    },
  },
};

export const triggerAuthenticationSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'keda.sh/v1alpha1' },
    kind: { enum: ['TriggerAuthentication', 'ClusterTriggerAuthentication'] },
    metadata,
    spec: {
      type: 'object',
      minProperties: 1,
      properties: {
        secretTargetRef: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['parameter', 'name', 'key'],
            properties: { parameter: { type: 'string' }, name: k8sName, key: { type: 'string' } },
          },
        },
        env: {
          type: 'array',
          items: {
            type: 'object',
            required: ['parameter', 'name'],
            properties: {
              parameter: { type: 'string' },
              name: { type: 'string' },
              containerName: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

const ajv = new Ajv2019({ allErrors: true, strict: true });
const validators: Record<string, ReturnType<typeof ajv.compile>> = {
  ScaledObject: ajv.compile(scaledObjectSchema),
  TriggerAuthentication: ajv.compile(triggerAuthenticationSchema),
  ClusterTriggerAuthentication: ajv.compile(triggerAuthenticationSchema),
};

/** Schema problems of a keda.sh/v1alpha1 object; a kind we have no schema for is itself a problem. */
export function kedaProblems(object: unknown): string[] {
  const kind = String(at(object, 'kind'));
  const validate = validators[kind];
  if (!validate) return [`keda.sh kind ${kind} has no schema here`];
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}
