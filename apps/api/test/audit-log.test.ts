import { auditInput } from '@pakati/platform';
import { httpClient } from '@pakati/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, uploadReference } from './harness.ts';

let stack: Stack;
beforeAll(async () => {
  // The test client plays a proxy in front of the API: its X-Forwarded-For names the client.
  stack = await startStack({ worker: false, env: { PAKATI_TRUSTED_PROXIES: '127.0.0.1, ::1' } });
});
afterAll(async () => {
  await stack?.stop();
});

interface Entry {
  operation: string;
  actor: string;
  outcome: string;
  errorCode: string | null;
  input: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  memberId: string | null;
}

const AUDIT = `query($operation: String) { auditLog(first: 50, operation: $operation) { edges { node {
  operation actor outcome errorCode input ip userAgent requestId memberId at } } } }`;

async function entries(operation?: string): Promise<Entry[]> {
  const res = await stack.alpha.gql<{ auditLog: { edges: { node: Entry }[] } }>(AUDIT, { operation });
  expect(res.errors).toBeUndefined();
  return res.data!.auditLog.edges.map((e) => e.node);
}

describe('the audit log', () => {
  it('records who did what, when and from where, for each mutation field of a document', async () => {
    const res = await fetch(`${stack.api.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${stack.alpha.key}`,
        'user-agent': 'audit-test/1.0',
        'x-request-id': 'req-audit-1',
        'x-forwarded-for': '198.51.100.7',
      },
      body: JSON.stringify({
        query: `mutation {
          a: createProject(input: { name: "Audited", width: 64, height: 64 }) { project { id } }
          b: createProject(input: { name: "", width: 64, height: 64 }) { project { id } }
        }`,
      }),
    });
    expect(res.status).toBe(200);
    const created = await entries('createProject');
    expect(created).toHaveLength(2);
    const ok = created.find((e) => e.outcome === 'OK')!;
    const failed = created.find((e) => e.outcome === 'ERROR')!;
    expect(ok).toMatchObject({
      actor: `pk_${stack.alpha.prefix}`,
      ip: '198.51.100.7',
      userAgent: 'audit-test/1.0',
      requestId: 'req-audit-1',
      errorCode: null,
    });
    expect(JSON.parse(ok.input!)).toEqual({ input: { name: 'Audited', width: 64, height: 64 } });
    expect(failed.errorCode).toBe('BAD_USER_INPUT');
    expect(ok.memberId).not.toBeNull();
  });

  it('records refused attempts with their code, and never queries', async () => {
    const viewer = await stack.alpha.gql<{ addMember: { member: { id: string } } }>(
      'mutation { addMember(input: { email: "v@alpha.test", name: "V", role: VIEWER }) { member { id } } }',
    );
    const key = await stack.alpha.gql<{ createApiKey: { key: string } }>(
      'mutation($m: ID!) { createApiKey(input: { name: "v", memberId: $m }) { key } }',
      { m: viewer.data!.addMember.member.id },
    );
    const gql = httpClient(stack.api.url, key.data!.createApiKey.key);
    await gql('{ viewer { role } }');
    const refused = await gql(
      'mutation { deleteProject(input: { id: "UHJvamVjdDp4" }) { deletedProjectId } }',
    );
    expect(refused.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const [entry] = await entries('deleteProject');
    expect(entry).toMatchObject({ outcome: 'ERROR', errorCode: 'FORBIDDEN' });
    expect(entry!.actor).not.toBe(`pk_${stack.alpha.prefix}`);
    expect((await entries()).some((e) => e.operation === 'viewer')).toBe(false);
  });

  it('keeps an upload as its name and size, never its bytes', async () => {
    const created = await stack.alpha.gql<{ createProject: { project: { id: string } } }>(
      'mutation { createProject(input: { name: "Refs", width: 64, height: 64 }) { project { id } } }',
    );
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#123' } })
      .png()
      .toBuffer();
    await uploadReference(stack, created.data!.createProject.project.id, png);
    const [entry] = await entries('addReference');
    const input = JSON.parse(entry!.input!) as { input: { image: unknown } };
    expect(input.input.image).toEqual({ file: 'reference.png', bytes: png.length });
  });
});

describe('auditInput', () => {
  it('redacts secret-named fields at any depth and cuts long strings', () => {
    const out = auditInput({
      url: 'https://example.com',
      secret: 'whsec_abc',
      nested: { apiKey: 'pk_x', token: 't', password: 'p', idempotencyKey: 'run-1' },
      prompt: 'x'.repeat(500),
    }) as Record<string, Record<string, unknown>>;
    expect(out.secret).toBe('[redacted]');
    expect(out.nested).toEqual({
      apiKey: '[redacted]',
      token: '[redacted]',
      password: '[redacted]',
      idempotencyKey: 'run-1',
    });
    expect(String(out.prompt).length).toBeLessThanOrEqual(201);
    expect(out.url).toBe('https://example.com');
  });
});
