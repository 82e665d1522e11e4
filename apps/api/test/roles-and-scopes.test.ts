import { httpClient, wsClient } from '@pakati/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectWithRegion, type Stack, startStack } from './harness.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

const ADD_MEMBER = `mutation($input: AddMemberInput!) { addMember(input: $input) { member { id role } } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id scopes expiresAt } } }`;
const UPDATE_ROLE = `mutation($input: UpdateMemberRoleInput!) { updateMemberRole(input: $input) { member { role } } }`;
const REMOVE_MEMBER = `mutation($input: RemoveMemberInput!) { removeMember(input: $input) { removedMemberId } }`;
const VIEWER = `{ viewer { role permissions member { id email } organization { name tier quota { requestsPerMinute concurrentRuns } } apiKey { scopes } sessionExpiresAt } }`;
const CREATE_PROJECT = `mutation { createProject(input: { name: "p", width: 64, height: 64 }) { project { id } } }`;

type Gql = ReturnType<typeof httpClient>;

const codes = (res: { errors?: { extensions?: { code?: string } }[] }) =>
  (res.errors ?? []).map((e) => e.extensions?.code);

async function member(gql: Gql, role: string, email = `${role.toLowerCase()}-${Math.random()}@alpha.test`) {
  const res = await gql<{ addMember: { member: { id: string } } }>(ADD_MEMBER, {
    input: { email, name: role, role },
  });
  expect(res.errors).toBeUndefined();
  return res.data!.addMember.member.id;
}

async function keyFor(gql: Gql, memberId: string, scopes?: string[], expiresAt?: string) {
  const res = await gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(CREATE_KEY, {
    input: { name: 'k', memberId, scopes, expiresAt },
  });
  expect(res.errors).toBeUndefined();
  return {
    key: res.data!.createApiKey.key,
    id: res.data!.createApiKey.apiKey.id,
    gql: httpClient(stack.api.url, res.data!.createApiKey.key),
  };
}

describe('roles and scopes', () => {
  it("narrows a member's role by the key's scopes, and shows both on viewer", async () => {
    const adminId = await member(stack.alpha.gql, 'ADMIN');
    const readOnly = await keyFor(stack.alpha.gql, adminId, ['READ']);
    const viewer = await readOnly.gql<{
      viewer: { role: string; permissions: string[]; apiKey: { scopes: string[] } };
    }>(VIEWER);
    expect(viewer.data!.viewer.role).toBe('ADMIN');
    expect(viewer.data!.viewer.permissions).toEqual(['READ']);
    expect(viewer.data!.viewer.apiKey.scopes).toEqual(['READ']);
    const refused = await readOnly.gql(CREATE_PROJECT);
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0]!.extensions).toMatchObject({ reason: 'MISSING_PERMISSION', role: 'ADMIN' });

    const writer = await keyFor(stack.alpha.gql, adminId, ['WRITE']);
    expect(codes(await writer.gql(CREATE_PROJECT))).toEqual([]);
    const hook = `mutation { createWebhookEndpoint(input: { url: "https://example.com/h", eventTypes: [RUN_COMPLETED] }) { secret } }`;
    expect(codes(await writer.gql(hook))).toEqual(['FORBIDDEN']);
  });

  it('refuses a key wider than its member, or than the key that creates it', async () => {
    const viewerId = await member(stack.alpha.gql, 'VIEWER');
    const wide = await stack.alpha.gql(CREATE_KEY, {
      input: { name: 'k', memberId: viewerId, scopes: ['WRITE'] },
    });
    expect(wide.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'SCOPES_EXCEED_ROLE',
    });
    // Without scopes a viewer's key gets what a viewer may have.
    const narrow = await keyFor(stack.alpha.gql, viewerId);
    const scopes = await narrow.gql<{ viewer: { apiKey: { scopes: string[] } } }>(VIEWER);
    expect(scopes.data!.viewer.apiKey.scopes).toEqual(['READ']);

    const memberId = await member(stack.alpha.gql, 'MEMBER');
    const writer = await keyFor(stack.alpha.gql, memberId);
    const escalate = await writer.gql(CREATE_KEY, { input: { name: 'mine', scopes: ['ADMIN'] } });
    expect(escalate.errors![0]!.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'SCOPES_EXCEED_CALLER',
    });
    const forOther = await writer.gql(CREATE_KEY, { input: { name: 'theirs', memberId: viewerId } });
    expect(codes(forOther)).toEqual(['FORBIDDEN']);
    // A member may mint a narrower key for themselves.
    const own = await writer.gql<{ createApiKey: { apiKey: { scopes: string[] } } }>(CREATE_KEY, {
      input: { name: 'mine', scopes: ['READ'] },
    });
    expect(own.data!.createApiKey.apiKey.scopes).toEqual(['READ']);
  });

  it('lists only their own keys to non-admins, and lets any key give itself up', async () => {
    const viewerId = await member(stack.alpha.gql, 'VIEWER');
    const key = await keyFor(stack.alpha.gql, viewerId);
    const listed = await key.gql<{ apiKeys: { edges: { node: { id: string } }[] } }>(
      '{ apiKeys(first: 100) { edges { node { id } } } }',
    );
    expect(listed.data!.apiKeys.edges.map((e) => e.node.id)).toEqual([key.id]);
    const revoke = await key.gql(
      'mutation($id: ID!) { revokeApiKey(input: { id: $id, confirmSelf: true }) { apiKey { revokedAt } } }',
      { id: key.id },
    );
    expect(codes(revoke)).toEqual([]);
    expect((await key.gql(VIEWER)).status).toBe(401);
  });

  it('keeps an owner: admins cannot touch owners, the last owner cannot go', async () => {
    const adminId = await member(stack.alpha.gql, 'ADMIN');
    const admin = await keyFor(stack.alpha.gql, adminId);
    const ownerId = (await stack.alpha.gql<{ viewer: { member: { id: string } } }>(VIEWER)).data!.viewer
      .member.id;
    expect(codes(await admin.gql(UPDATE_ROLE, { input: { id: ownerId, role: 'MEMBER' } }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(
      codes(await admin.gql(ADD_MEMBER, { input: { email: 'o2@alpha.test', name: 'o', role: 'OWNER' } })),
    ).toEqual(['FORBIDDEN']);
    const demote = await stack.alpha.gql(UPDATE_ROLE, { input: { id: ownerId, role: 'ADMIN' } });
    expect(demote.errors![0]!.extensions).toMatchObject({
      code: 'PRECONDITION_FAILED',
      reason: 'LAST_OWNER',
    });
    expect(codes(await stack.alpha.gql(REMOVE_MEMBER, { input: { id: ownerId } }))).toEqual([
      'PRECONDITION_FAILED',
    ]);
    // With a second owner the first may step down.
    const secondOwner = await member(stack.alpha.gql, 'OWNER');
    expect(codes(await admin.gql(REMOVE_MEMBER, { input: { id: secondOwner } }))).toEqual(['FORBIDDEN']);
    expect(codes(await stack.alpha.gql(REMOVE_MEMBER, { input: { id: secondOwner } }))).toEqual([]);
  });

  it("revokes a removed member's keys at once, HTTP and new subscriptions alike", async () => {
    const memberId = await member(stack.alpha.gql, 'MEMBER');
    const key = await keyFor(stack.alpha.gql, memberId);
    expect((await key.gql(VIEWER)).status).toBe(200);
    expect(codes(await stack.alpha.gql(REMOVE_MEMBER, { input: { id: memberId } }))).toEqual([]);
    expect((await key.gql(VIEWER)).status).toBe(401);
    const client = wsClient(stack.api.url, key.key);
    const closed = await new Promise<number>((resolve) => {
      client.on('closed', (event) => resolve((event as { code: number }).code));
      client.subscribe(
        { query: 'subscription { organizationRunEvents { runId } }' },
        { next() {}, error() {}, complete() {} },
      );
    });
    expect(closed).toBe(4403);
    await client.dispose();
  });

  it('refuses an expired key with 401, and an expiry in the past up front', async () => {
    const memberId = await member(stack.alpha.gql, 'MEMBER');
    const past = await stack.alpha.gql(CREATE_KEY, {
      input: { name: 'old', memberId, expiresAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(past.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
    const soon = await keyFor(
      stack.alpha.gql,
      memberId,
      undefined,
      new Date(Date.now() + 1500).toISOString(),
    );
    expect((await soon.gql(VIEWER)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    expect((await soon.gql(VIEWER)).status).toBe(401);
  });

  it('gates the organization-wide rules behind admin, a project’s rules behind write', async () => {
    const memberId = await member(stack.alpha.gql, 'MEMBER');
    const writer = await keyFor(stack.alpha.gql, memberId);
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const defaults = await writer.gql<{ ruleSet: { text: string } }>('{ ruleSet { text } }');
    const rules = defaults.data!.ruleSet.text.split('\n').find((l) => l.trim().startsWith('IF'))!;
    const update = `mutation($input: UpdateRuleSetInput!) { updateRuleSet(input: $input) { ruleSet { text } } }`;
    expect(codes(await writer.gql(update, { input: { text: rules } }))).toEqual(['FORBIDDEN']);
    expect(codes(await writer.gql(update, { input: { projectId, text: rules } }))).toEqual([]);
  });
});

describe('open subscriptions', () => {
  /** Opens a live subscription with the key and resolves with the close code when the server ends the socket. */
  async function openSocket(key: string) {
    const client = wsClient(stack.api.url, key);
    const closed = new Promise<number>((resolve) => {
      client.on('closed', (event) => resolve((event as { code: number }).code));
    });
    const opened = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    client.subscribe(
      { query: 'subscription { organizationRunEvents { runId } }' },
      { next() {}, error() {}, complete() {} },
    );
    await opened;
    return { closed, dispose: () => client.dispose() };
  }
  const within = <T>(promise: Promise<T>, ms: number) =>
    Promise.race([promise, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

  it('close with 4403 the moment their key is revoked', async () => {
    const memberId = await member(stack.alpha.gql, 'MEMBER');
    const key = await keyFor(stack.alpha.gql, memberId);
    const socket = await openSocket(key.key);
    await stack.alpha.gql('mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }', {
      id: key.id,
    });
    expect(await within(socket.closed, 3000)).toBe(4403);
    await socket.dispose();
  });

  it("close with 1012 when the member's role changes, so the client reconnects with the new role", async () => {
    const memberId = await member(stack.alpha.gql, 'ADMIN');
    const key = await keyFor(stack.alpha.gql, memberId);
    const socket = await openSocket(key.key);
    expect(codes(await stack.alpha.gql(UPDATE_ROLE, { input: { id: memberId, role: 'VIEWER' } }))).toEqual(
      [],
    );
    expect(await within(socket.closed, 3000)).toBe(1012);
    await socket.dispose();
  });

  it('close with 4403 when their key expires', async () => {
    const memberId = await member(stack.alpha.gql, 'VIEWER');
    const key = await keyFor(stack.alpha.gql, memberId, undefined, new Date(Date.now() + 1500).toISOString());
    const socket = await openSocket(key.key);
    expect(await within(socket.closed, 4000)).toBe(4403);
    await socket.dispose();
  });
});

describe('web sessions', () => {
  const SESSION = `mutation { createWebSession(input: { ttlSeconds: 120 }) { token expiresAt } }`;

  it('issues a signed token that acts for the key, expires, and dies with the key', async () => {
    const memberId = await member(stack.alpha.gql, 'VIEWER');
    const key = await keyFor(stack.alpha.gql, memberId);
    const created = await key.gql<{ createWebSession: { token: string; expiresAt: string } }>(SESSION);
    expect(created.errors).toBeUndefined();
    const { token, expiresAt } = created.data!.createWebSession;
    expect(token.split('.')).toHaveLength(3);
    expect(Math.abs(new Date(expiresAt).getTime() - Date.now() - 120_000)).toBeLessThan(5000);

    const session = httpClient(stack.api.url, token);
    const viewer = await session<{ viewer: { role: string; sessionExpiresAt: string } }>(VIEWER);
    expect(viewer.data!.viewer.role).toBe('VIEWER');
    expect(viewer.data!.viewer.sessionExpiresAt).toBe(expiresAt.replace(/\.\d+Z$/, '.000Z'));
    // A session cannot mint sessions (it would outlive its own expiry).
    expect(codes(await session(SESSION))).toEqual(['FORBIDDEN']);
    // A tampered token is refused, as is one after its key is revoked.
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await httpClient(stack.api.url, forged)(VIEWER)).status).toBe(401);
    await stack.alpha.gql('mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }', {
      id: key.id,
    });
    expect((await session(VIEWER)).status).toBe(401);
  });

  it('refuses a token signed with another secret', async () => {
    const { SessionTokens } = await import('@pakati/platform');
    const other = new SessionTokens('x'.repeat(64));
    const ownerKeyId = (
      await stack.alpha.gql<{ viewer: { apiKey: { id: string } } }>('{ viewer { apiKey { id } } }')
    ).data!.viewer.apiKey.id;
    const raw = Buffer.from(ownerKeyId, 'base64url').toString().split(':')[1]!;
    const token = await other.issue(raw, new Date(Date.now() + 60_000));
    expect((await httpClient(stack.api.url, token)(VIEWER)).status).toBe(401);
  });
});
