import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Permission } from '@pakati/platform';
import { schema } from '@pakati/schema';
import { collect, httpClient, wsClient } from '@pakati/testkit';
import { parse, validate } from 'graphql';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  projectWithRegion,
  RUN_EVENTS,
  START_RUN,
  type Stack,
  startStack,
  uploadReference,
} from './harness.ts';

/**
 * Every root field of the schema, probed from a second organization under each role (nothing of the first may
 * leak, nothing of it may change) and from each role of the first organization (exactly the fields its role
 * allows pass authorization, and a refused mutation changes nothing). A root field without a probe fails the test,
 * so new fields must join the matrix.
 */

type Gql = ReturnType<typeof httpClient>;
type Role = 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER';
const ROLES: Role[] = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'];
const ROLE_PERMISSIONS: Record<Role, Permission[]> = {
  VIEWER: ['read'],
  MEMBER: ['read', 'write'],
  ADMIN: ['read', 'write', 'admin'],
  OWNER: ['read', 'write', 'admin', 'owner'],
};

interface Fixtures {
  projectId: string;
  regionId: string;
  referenceId: string;
  runId: string;
  workflowId: string;
  webhookId: string;
  deliveryId: string;
  memberId: string;
  apiKeyId: string;
  ruleText: string;
  /** Things a probe may consume (delete, revoke, remove) without spoiling the standing fixtures. */
  fresh: {
    project(): Promise<string>;
    region(): Promise<string>;
    reference(): Promise<string>;
    workflow(): Promise<string>;
    webhook(): Promise<string>;
    member(): Promise<string>;
    apiKey(): Promise<string>;
  };
}

interface Probe {
  /** What the field needs in the caller's own organization. */
  needs: Permission;
  document: string;
  variables?: (fx: Fixtures) => Promise<Record<string, unknown>> | Record<string, unknown>;
  upload?: true;
  subscription?: true;
}

const SQUARE = [
  { x: 4, y: 4 },
  { x: 60, y: 4 },
  { x: 60, y: 60 },
  { x: 4, y: 60 },
];

const PROBES: Record<string, Probe> = {
  // Queries
  analytics: {
    needs: 'read',
    document: '{ analytics(days: 7) { successRate runsPerDay { day succeeded } } }',
  },
  apiKeys: { needs: 'read', document: '{ apiKeys(first: 50) { edges { node { id name prefix } } } }' },
  auditLog: {
    needs: 'admin',
    // Not `input`: beta's own entries echo the alpha ids beta itself sent; alpha's entries show alpha's key prefixes.
    document: '{ auditLog(first: 200) { edges { node { operation actor ip } } } }',
  },
  members: { needs: 'read', document: '{ members(first: 50) { edges { node { id email name role } } } }' },
  models: { needs: 'read', document: '{ models { name } }' },
  node: {
    needs: 'read',
    document: 'query($id: ID!) { node(id: $id) { id ... on Project { name } } }',
    variables: (fx) => ({ id: fx.projectId }),
  },
  nodes: {
    needs: 'read',
    document:
      'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Project { name } ... on Run { status } ... on WebhookEndpoint { url } ... on Member { email } ... on ApiKey { prefix } } }',
    variables: (fx) => ({ ids: [fx.projectId, fx.runId, fx.memberId, fx.apiKeyId, fx.regionId] }),
  },
  project: {
    needs: 'read',
    document:
      'query($id: ID!) { project(id: $id) { name regions { prompt } references { id imageUrl } runs(first: 5) { edges { node { id imageUrl } } } } }',
    variables: (fx) => ({ id: fx.projectId }),
  },
  projects: { needs: 'read', document: '{ projects(first: 50) { edges { node { id name } } } }' },
  queues: { needs: 'read', document: '{ queues { name waiting active } }' },
  ruleSet: {
    needs: 'read',
    document: 'query($id: ID) { ruleSet(projectId: $id) { text } }',
    variables: (fx) => ({ id: fx.projectId }),
  },
  run: {
    needs: 'read',
    document: 'query($id: ID!) { run(id: $id) { id status imageUrl steps { regionId } } }',
    variables: (fx) => ({ id: fx.runId }),
  },
  viewer: { needs: 'read', document: '{ viewer { organization { id name } role permissions } }' },
  webhookEndpoints: {
    needs: 'admin',
    document:
      '{ webhookEndpoints(first: 20) { edges { node { id url deliveries(first: 5) { edges { node { id } } } } } } }',
  },
  workers: { needs: 'read', document: '{ workers { id jobsInHand jobs { runId } } }' },

  // Mutations
  addMember: {
    needs: 'admin',
    document: 'mutation($input: AddMemberInput!) { addMember(input: $input) { member { id } } }',
    variables: () => ({ input: { email: `m${Math.random()}@example.com`, name: 'Probe', role: 'VIEWER' } }),
  },
  addReference: {
    needs: 'write',
    upload: true,
    document: 'mutation($input: AddReferenceInput!) { addReference(input: $input) { reference { id } } }',
    variables: (fx) => ({ input: { projectId: fx.projectId, regionId: null, image: null } }),
  },
  addRegion: {
    needs: 'write',
    document: 'mutation($input: AddRegionInput!) { addRegion(input: $input) { region { id } } }',
    variables: (fx) => ({ input: { projectId: fx.projectId, prompt: 'probe region', points: SQUARE } }),
  },
  cancelRun: {
    needs: 'write',
    document: 'mutation($id: ID!) { cancelRun(id: $id) { run { id status } } }',
    variables: (fx) => ({ id: fx.runId }),
  },
  createApiKey: {
    needs: 'write',
    document: 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }',
    variables: () => ({ input: { name: 'probe', scopes: ['READ'] } }),
  },
  createProject: {
    needs: 'write',
    document: 'mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } } }',
    variables: () => ({ input: { name: 'probe', width: 64, height: 64 } }),
  },
  createWebSession: {
    needs: 'read',
    document: 'mutation { createWebSession(input: {}) { expiresAt } }',
  },
  createWebhookEndpoint: {
    needs: 'admin',
    document:
      'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { webhookEndpoint { id } } }',
    variables: () => ({ input: { url: 'http://127.0.0.1:9/probe', eventTypes: ['RUN_COMPLETED'] } }),
  },
  deleteProject: {
    needs: 'write',
    document: 'mutation($input: DeleteProjectInput!) { deleteProject(input: $input) { deletedProjectId } }',
    variables: async (fx) => ({ input: { id: await fx.fresh.project() } }),
  },
  deleteWebhookEndpoint: {
    needs: 'admin',
    document:
      'mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { deletedWebhookEndpointId } }',
    variables: async (fx) => ({ input: { id: await fx.fresh.webhook() } }),
  },
  deleteWorkflow: {
    needs: 'write',
    document:
      'mutation($input: DeleteWorkflowInput!) { deleteWorkflow(input: $input) { deletedWorkflowId } }',
    variables: async (fx) => ({ input: { id: await fx.fresh.workflow() } }),
  },
  redeliverWebhook: {
    needs: 'admin',
    document:
      'mutation($input: RedeliverWebhookInput!) { redeliverWebhook(input: $input) { delivery { id } } }',
    variables: (fx) => ({ input: { deliveryId: fx.deliveryId } }),
  },
  removeMember: {
    needs: 'admin',
    document: 'mutation($input: RemoveMemberInput!) { removeMember(input: $input) { removedMemberId } }',
    variables: async (fx) => ({ input: { id: await fx.fresh.member() } }),
  },
  removeReference: {
    needs: 'write',
    document: 'mutation($input: RemoveReferenceInput!) { removeReference(input: $input) { __typename } }',
    variables: async (fx) => ({ input: { id: await fx.fresh.reference() } }),
  },
  removeRegion: {
    needs: 'write',
    document: 'mutation($input: RemoveRegionInput!) { removeRegion(input: $input) { __typename } }',
    variables: async (fx) => ({ input: { id: await fx.fresh.region() } }),
  },
  resetRuleSet: {
    needs: 'write',
    document: 'mutation($input: ResetRuleSetInput!) { resetRuleSet(input: $input) { ruleSet { text } } }',
    variables: (fx) => ({ input: { projectId: fx.projectId } }),
  },
  revokeApiKey: {
    needs: 'admin', // another member's key; one's own needs only read (roles-and-scopes.test.ts)
    document: 'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { revokedAt } } }',
    variables: async (fx) => ({ input: { id: await fx.fresh.apiKey() } }),
  },
  rotateWebhookSecret: {
    needs: 'admin',
    document:
      'mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { __typename } }',
    variables: (fx) => ({ input: { id: fx.webhookId } }),
  },
  saveWorkflow: {
    needs: 'write',
    document: 'mutation($input: SaveWorkflowInput!) { saveWorkflow(input: $input) { workflow { id } } }',
    variables: (fx) => ({
      input: { projectId: fx.projectId, name: 'probe', steps: [{ id: 'base', kind: 'GENERATE' }] },
    }),
  },
  startRun: {
    needs: 'write',
    document: START_RUN,
    variables: (fx) => ({ input: { projectId: fx.projectId, kind: 'GENERATE' } }),
  },
  startRuns: {
    needs: 'write',
    document: 'mutation($input: StartRunsInput!) { startRuns(input: $input) { runs { id } } }',
    variables: (fx) => ({ input: { projectId: fx.projectId, kind: 'GENERATE', count: 1 } }),
  },
  startWorkflow: {
    needs: 'write',
    document: 'mutation($input: StartWorkflowInput!) { startWorkflow(input: $input) { run { id } } }',
    variables: (fx) => ({ input: { workflowId: fx.workflowId } }),
  },
  updateMemberRole: {
    needs: 'admin',
    document:
      'mutation($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { member { role } } }',
    variables: async (fx) => ({ input: { id: await fx.fresh.member(), role: 'MEMBER' } }),
  },
  updateProject: {
    needs: 'write',
    document: 'mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { name } } }',
    variables: (fx) => ({ input: { id: fx.projectId, name: 'alpha-secret-project' } }),
  },
  updateRegion: {
    needs: 'write',
    document: 'mutation($input: UpdateRegionInput!) { updateRegion(input: $input) { region { prompt } } }',
    variables: (fx) => ({ input: { id: fx.regionId, prompt: 'alpha secret prompt' } }),
  },
  updateRuleSet: {
    needs: 'admin', // organization-wide rules; a project's own need only write (roles-and-scopes.test.ts)
    document: 'mutation($input: UpdateRuleSetInput!) { updateRuleSet(input: $input) { ruleSet { text } } }',
    variables: (fx) => ({ input: { text: fx.ruleText } }),
  },
  updateWebhookEndpoint: {
    needs: 'admin',
    document:
      'mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { webhookEndpoint { url } } }',
    variables: (fx) => ({ input: { id: fx.webhookId, description: 'probe' } }),
  },

  // Subscriptions
  organizationRunEvents: {
    needs: 'read',
    subscription: true,
    document: 'subscription { organizationRunEvents { runId status } }',
  },
  runEvents: {
    needs: 'read',
    subscription: true,
    document: RUN_EVENTS,
    variables: (fx) => ({ runId: fx.runId, after: 0 }),
  },
};

let stack: Stack;
let receiver: Server;
let png: Buffer;
let fx: Fixtures;
/** Strings that exist only in alpha's data: none may appear in anything beta receives. */
const secrets: string[] = [];
const alphaAs: Partial<Record<Role, { gql: Gql; key: string }>> = {};
const betaAs: Partial<Record<Role, { gql: Gql; key: string }>> = {};

const rawId = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1]!;

async function must<T>(gql: Gql, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await gql<T>(query, variables);
  if (res.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(res.errors)}`);
  return res.data!;
}

async function roleKeys(gql: Gql, tenant: string): Promise<Partial<Record<Role, { gql: Gql; key: string }>>> {
  const out: Partial<Record<Role, { gql: Gql; key: string }>> = {};
  for (const role of ROLES) {
    const member = await must<{ addMember: { member: { id: string } } }>(
      gql,
      'mutation($input: AddMemberInput!) { addMember(input: $input) { member { id } } }',
      { input: { email: `${role.toLowerCase()}@${tenant}.example.com`, name: `${tenant} ${role}`, role } },
    );
    const key = await must<{ createApiKey: { key: string } }>(
      gql,
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
      { input: { name: role, memberId: member.addMember.member.id } },
    );
    out[role] = { gql: httpClient(stack.api.url, key.createApiKey.key), key: key.createApiKey.key };
  }
  return out;
}

/** A digest of everything alpha owns: equal before and after means nothing of alpha's changed. */
async function alphaDigest(): Promise<string> {
  const org = stack.alpha.organizationId;
  const rows = await stack.platform.orm.em.getConnection().execute<{ digest: string }[]>(
    // Ids and settings, not progress: runs started by allowed probes finish (and deliver) in the background.
    `select md5(concat_ws('|',
       (select string_agg(id || name || width || height, ',' order by id) from project where organization_id = ?),
       (select string_agg(r.id || r.prompt || r.points::text, ',' order by r.id) from region r join project p on p.id = r.project_id where p.organization_id = ?),
       (select string_agg(f.id::text, ',' order by f.id) from reference f join project p on p.id = f.project_id where p.organization_id = ?),
       (select string_agg(id::text, ',' order by id) from run where organization_id = ?),
       (select string_agg(id || url || coalesce(description, '') || disabled::text || secrets::text || event_types::text, ',' order by id) from webhook_endpoint where organization_id = ?),
       (select string_agg(id || role || coalesce(removed_at::text, ''), ',' order by id) from member where organization_id = ?),
       (select string_agg(id || coalesce(revoked_at::text, '') || scopes::text, ',' order by id) from api_key where organization_id = ?),
       (select string_agg(id || text, ',' order by id) from rule_set where organization_id = ?),
       (select string_agg(id || name || definition::text, ',' order by id) from workflow where organization_id = ?)
     )) as digest`,
    Array(9).fill(org),
  );
  return rows[0]!.digest;
}

async function send(gql: Gql, key: string, probe: Probe, variables: Record<string, unknown>) {
  if (probe.subscription) {
    const client = wsClient(stack.api.url, key);
    const { items, done } = collect<unknown>(client, probe.document, variables);
    // A live subscription that is allowed keeps running: take what arrived within a moment.
    const result = await Promise.race([done, new Promise<null>((r) => setTimeout(() => r(null), 1500))]);
    await client.dispose();
    const error = result?.error as { extensions?: { code?: string } }[] | undefined;
    return { errors: Array.isArray(error) ? error : undefined, data: items };
  }
  if (probe.upload) {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: probe.document, variables }));
    form.append('map', JSON.stringify({ 0: ['variables.input.image'] }));
    form.append('0', new Blob([new Uint8Array(png)]), 'probe.png');
    const res = await fetch(`${stack.api.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'x-pakati-csrf': '1' },
      body: form,
    });
    return (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  }
  return gql(probe.document, variables);
}

beforeAll(async () => {
  receiver = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  stack = await startStack({ env: { PAKATI_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'loopback' } });
  png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
  const owner = stack.alpha.gql;

  const webhook = await must<{ createWebhookEndpoint: { webhookEndpoint: { id: string } } }>(
    owner,
    'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { webhookEndpoint { id } } }',
    { input: { url: hookUrl, eventTypes: ['RUN_COMPLETED'], description: 'alpha-secret-hook' } },
  );
  const { projectId, regionId } = await projectWithRegion(owner, 'alpha secret prompt');
  await must(
    owner,
    'mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id } } }',
    {
      input: { id: projectId, name: 'alpha-secret-project' },
    },
  );
  const referenceId = await uploadReference(stack, projectId, png);
  const started = await must<{ startRun: { run: { id: string } } }>(owner, START_RUN, {
    input: { projectId, kind: 'GENERATE', seed: 7 },
  });
  const runId = started.startRun.run.id;
  const client = wsClient(stack.api.url, stack.alpha.key);
  await collect(client, RUN_EVENTS, { runId, after: 0 }).done;
  await client.dispose();
  const workflow = await must<{ saveWorkflow: { workflow: { id: string } } }>(
    owner,
    PROBES.saveWorkflow!.document,
    { input: { projectId, name: 'alpha-secret-workflow', steps: [{ id: 'base', kind: 'GENERATE' }] } },
  );
  let deliveryId = '';
  for (let i = 0; i < 100 && !deliveryId; i++) {
    const found = await must<{
      webhookEndpoints: { edges: { node: { deliveries: { edges: { node: { id: string } }[] } } }[] };
    }>(
      owner,
      '{ webhookEndpoints(first: 1) { edges { node { deliveries(first: 1) { edges { node { id } } } } } } }',
    );
    deliveryId = found.webhookEndpoints.edges[0]?.node.deliveries.edges[0]?.node.id ?? '';
    if (!deliveryId) await new Promise((r) => setTimeout(r, 100));
  }
  expect(deliveryId).not.toBe('');

  Object.assign(alphaAs, await roleKeys(owner, 'alpha'));
  Object.assign(betaAs, await roleKeys(stack.beta.gql, 'beta'));
  const viewerMember = await must<{ viewer: { member: { id: string }; apiKey: { id: string } } }>(
    alphaAs.VIEWER!.gql,
    '{ viewer { member { id } apiKey { id } } }',
  );

  const fresh = {
    project: async () => (await projectWithRegion(owner)).projectId,
    region: async () => (await projectWithRegion(owner)).regionId,
    reference: async () => uploadReference(stack, projectId, png),
    workflow: async () =>
      (
        await must<{ saveWorkflow: { workflow: { id: string } } }>(owner, PROBES.saveWorkflow!.document, {
          input: { projectId, name: 'spare', steps: [{ id: 'base', kind: 'GENERATE' }] },
        })
      ).saveWorkflow.workflow.id,
    webhook: async () =>
      (
        await must<{ createWebhookEndpoint: { webhookEndpoint: { id: string } } }>(
          owner,
          PROBES.createWebhookEndpoint!.document,
          { input: { url: hookUrl, eventTypes: ['RUN_COMPLETED'] } },
        )
      ).createWebhookEndpoint.webhookEndpoint.id,
    member: async () =>
      (
        await must<{ addMember: { member: { id: string } } }>(owner, PROBES.addMember!.document, {
          input: { email: `spare${Math.random()}@alpha.example.com`, name: 'Spare', role: 'VIEWER' },
        })
      ).addMember.member.id,
    apiKey: async () =>
      (
        await must<{ createApiKey: { apiKey: { id: string } } }>(owner, PROBES.createApiKey!.document, {
          input: { name: 'spare', scopes: ['READ'] },
        })
      ).createApiKey.apiKey.id,
  };
  fx = {
    projectId,
    regionId,
    referenceId,
    runId,
    workflowId: workflow.saveWorkflow.workflow.id,
    webhookId: webhook.createWebhookEndpoint.webhookEndpoint.id,
    deliveryId,
    memberId: viewerMember.viewer.member.id,
    apiKeyId: viewerMember.viewer.apiKey.id,
    ruleText: (await must<{ ruleSet: { text: string } }>(owner, '{ ruleSet { text } }')).ruleSet.text,
    fresh,
  };
  const alphaKeys = await stack.platform.orm.em
    .fork()
    .getConnection()
    .execute<{ prefix: string }[]>('select prefix from api_key where organization_id = ?', [
      stack.alpha.organizationId,
    ]);
  secrets.push(
    ...alphaKeys.map((k) => `pk_${k.prefix}`),
    'alpha-secret',
    'alpha secret',
    hookUrl,
    stack.alpha.organizationId,
    'alpha.example.com',
    ...[
      projectId,
      regionId,
      referenceId,
      runId,
      fx.workflowId,
      fx.webhookId,
      deliveryId,
      fx.memberId,
      fx.apiKeyId,
    ].flatMap((id) => [id, rawId(id)]),
  );
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await new Promise<void>((r) => receiver?.close(() => r()));
});

describe('the isolation matrix', () => {
  it('has a probe for every root field of the schema, and no probe for a field that is gone', () => {
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap(
      (t) => Object.keys(t!.getFields()),
    );
    expect(Object.keys(PROBES).sort()).toEqual(roots.sort());
    for (const [field, probe] of Object.entries(PROBES)) {
      expect(
        validate(schema, parse(probe.document)).map((e) => e.message),
        field,
      ).toEqual([]);
    }
  });

  for (const role of ROLES) {
    it(`leaks nothing of another organization to its ${role}, and changes nothing of it`, async () => {
      const actor = betaAs[role]!;
      for (const [field, probe] of Object.entries(PROBES)) {
        const variables = (await probe.variables?.(fx)) ?? {};
        const before = await alphaDigest();
        const res = await send(actor.gql, actor.key, probe, variables);
        const text = JSON.stringify(res);
        for (const secret of secrets) {
          expect(text.includes(secret), `${field} as beta ${role} revealed ${secret}: ${text}`).toBe(false);
        }
        expect(await alphaDigest(), `${field} as beta ${role} changed alpha's data`).toBe(before);
        for (const error of res.errors ?? []) {
          expect(error.extensions?.code, `${field}: ${text}`).not.toBe('INTERNAL');
        }
      }
    }, 120_000);
  }

  for (const role of ROLES) {
    it(`lets alpha's ${role} use exactly the fields its role allows`, async () => {
      const actor = alphaAs[role]!;
      for (const [field, probe] of Object.entries(PROBES)) {
        const allowed = ROLE_PERMISSIONS[role].includes(probe.needs);
        const variables = (await probe.variables?.(fx)) ?? {};
        const before = await alphaDigest();
        const res = await send(actor.gql, actor.key, probe, variables);
        const codes = (res.errors ?? []).map((e) => e.extensions?.code);
        const text = JSON.stringify(res).slice(0, 400);
        if (allowed) {
          expect(codes, `${field} as alpha ${role}: ${text}`).not.toContain('FORBIDDEN');
          expect(codes, `${field} as alpha ${role}: ${text}`).not.toContain('INTERNAL');
        } else {
          expect(codes, `${field} as alpha ${role}: ${text}`).toContain('FORBIDDEN');
          expect(await alphaDigest(), `${field} as alpha ${role} was refused but wrote`).toBe(before);
        }
      }
    }, 120_000);
  }

  it("serves alpha's images to alpha's roles only, never to beta's, with or without a key", async () => {
    const run = await must<{ run: { imageUrl: string } }>(
      stack.alpha.gql,
      'query($id: ID!) { run(id: $id) { imageUrl } }',
      {
        id: fx.runId,
      },
    );
    const url = new URL(run.run.imageUrl);
    const bare = `${url.origin}${url.pathname}`;
    for (const role of ROLES) {
      const own = await fetch(bare, { headers: { authorization: `Bearer ${alphaAs[role]!.key}` } });
      expect(own.status, `alpha ${role}`).toBe(200);
      const other = await fetch(bare, { headers: { authorization: `Bearer ${betaAs[role]!.key}` } });
      expect(other.status, `beta ${role}`).toBe(404);
    }
    expect((await fetch(bare)).status).toBe(404);
    const forged = new URL(run.run.imageUrl);
    forged.searchParams.set('signature', 'A'.repeat(43));
    expect((await fetch(forged)).status).toBe(404);
  });
});
