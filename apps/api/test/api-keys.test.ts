import { httpClient } from '@pakati/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness.ts';

const KEY_FIELDS = 'id name prefix createdAt lastUsedAt revokedAt current';
const API_KEYS = `query($first: Int, $after: String) { apiKeys(first: $first, after: $after) { edges { node { ${KEY_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { ${KEY_FIELDS} } } }`;
const REVOKE = `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { ${KEY_FIELDS} } } }`;
const VIEWER = `{ viewer { organization { name } } }`;

interface KeyNode {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  current: boolean;
}
type Errors = { errors?: { extensions?: { code?: string; field?: string; reason?: string } }[] };
const firstError = (response: Errors) => response.errors?.[0]?.extensions;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

async function createKey(gql: Stack['alpha']['gql'], name: string) {
  const created = await gql<{ createApiKey: { key: string; apiKey: KeyNode } }>(CREATE, { input: { name } });
  expect(created.errors).toBeUndefined();
  return created.data!.createApiKey;
}

async function listKeys(gql: Stack['alpha']['gql']) {
  const listed = await gql<{ apiKeys: { edges: { node: KeyNode }[] } }>(API_KEYS, { first: 100 });
  expect(listed.errors).toBeUndefined();
  return listed.data!.apiKeys.edges.map((e) => e.node);
}

describe('createApiKey', () => {
  it('returns the whole key once, which then works as a bearer of the same organization', async () => {
    const { key, apiKey } = await createKey(stack.alpha.gql, '  CI deploys  ');
    expect(key).toMatch(new RegExp(`^pk_${apiKey.prefix}_`));
    expect(apiKey).toMatchObject({ name: 'CI deploys', revokedAt: null, lastUsedAt: null, current: false });

    const asNewKey = httpClient(stack.api.url, key);
    const viewer = await asNewKey<{ viewer: { organization: { name: string } } }>(VIEWER);
    expect(viewer.data!.viewer.organization.name).toBe('alpha');
    const seen = (await listKeys(asNewKey)).find((k) => k.id === apiKey.id)!;
    expect(seen.current).toBe(true);
    expect(seen.lastUsedAt).not.toBeNull();
  });

  it.each([
    ['blank', '   '],
    ['too long', 'k'.repeat(101)],
  ])('rejects a %s name as BAD_USER_INPUT on the name field', async (_label, name) => {
    const response = await stack.alpha.gql(CREATE, { input: { name } });
    expect(firstError(response)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });
});

describe('apiKeys', () => {
  it("lists only the organization's keys, newest first, and never a secret or hash", async () => {
    const older = await createKey(stack.beta.gql, 'older');
    const newer = await createKey(stack.beta.gql, 'newer');
    const listed = await stack.beta.gql(API_KEYS, { first: 100 });
    const nodes = (listed.data as { apiKeys: { edges: { node: KeyNode }[] } }).apiKeys.edges.map(
      (e) => e.node,
    );
    expect(nodes.map((k) => k.name)).toEqual(['newer', 'older', 'test']);
    const text = JSON.stringify(listed);
    expect(text).not.toContain(older.key);
    expect(text).not.toContain(newer.key);
    expect(text).not.toContain(older.key.split('_')[2]);

    const introspection = await stack.beta.gql<{ __type: { fields: { name: string }[] } }>(
      `{ __type(name: "ApiKey") { fields { name } } }`,
    );
    expect(introspection.data!.__type.fields.map((f) => f.name).sort()).toEqual(
      [
        'createdAt',
        'current',
        'expiresAt',
        'id',
        'lastUsedAt',
        'member',
        'name',
        'prefix',
        'revokedAt',
        'scopes',
      ].sort(),
    );
  });
});

describe('revokeApiKey', () => {
  it('revokes a key, which is refused with 401 from then on', async () => {
    const { key, apiKey } = await createKey(stack.alpha.gql, 'to revoke');
    const revoked = await stack.alpha.gql<{ revokeApiKey: { apiKey: KeyNode } }>(REVOKE, {
      input: { id: apiKey.id },
    });
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data!.revokeApiKey.apiKey.revokedAt).not.toBeNull();

    const refused = await httpClient(stack.api.url, key)(VIEWER);
    expect(refused.status).toBe(401);
    expect((await listKeys(stack.alpha.gql)).find((k) => k.id === apiKey.id)?.revokedAt).not.toBeNull();
  });

  it("is NOT_FOUND for another organization's key, which keeps working", async () => {
    const { key, apiKey } = await createKey(stack.beta.gql, 'beta only');
    const foreign = await stack.alpha.gql(REVOKE, { input: { id: apiKey.id } });
    expect(firstError(foreign)?.code).toBe('NOT_FOUND');
    const still = await httpClient(stack.api.url, key)<{ viewer: unknown }>(VIEWER);
    expect(still.status).toBe(200);
    expect(still.data!.viewer).toBeTruthy();
  });

  it('refuses to revoke the key of the request unless confirmSelf, then signs it out', async () => {
    const { key, apiKey } = await createKey(stack.alpha.gql, 'self');
    const asSelf = httpClient(stack.api.url, key);
    const refused = await asSelf(REVOKE, { input: { id: apiKey.id } });
    expect(firstError(refused)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'REVOKING_OWN_KEY' });
    expect((await asSelf(VIEWER)).status).toBe(200);

    const confirmed = await asSelf<{ revokeApiKey: { apiKey: KeyNode } }>(REVOKE, {
      input: { id: apiKey.id, confirmSelf: true },
    });
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data!.revokeApiKey.apiKey.revokedAt).not.toBeNull();
    expect((await asSelf(VIEWER)).status).toBe(401);
  });
});
