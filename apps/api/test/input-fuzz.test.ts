import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectWithRegion, type Stack, startStack } from './harness.ts';

/**
 * Hostile and malformed input through the real API: broken HTTP bodies, broken GraphQL, wrong types, boundary
 * numbers, control characters, injection strings, forged ids, hostile URLs, broken workflows and broken images.
 * Every answer must be a typed error or a success: never a 5xx, never INTERNAL, never a dead process, and the
 * database afterwards holds exactly what the successful answers said they created.
 */

// A seeded generator: the same cases on every run, so a failure can be replayed.
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = random(20261123);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007bell',
  '\u001b[31mred',
  'tab\tand\nnewline',
  '\ud800',
  'lone \udfff surrogate',
  '\u202eevil',
  '\u2066isolate',
  "'; drop table project; --",
  '" or 1=1 --',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style payload, meant literally
  '${jndi:ldap://x}',
  '{{7*7}}',
  '../../../etc/passwd',
  '%00',
  '🙂'.repeat(300),
  'x'.repeat(4001),
  'y'.repeat(100_000),
  'null',
  'undefined',
  '0',
  '-1',
  'NaN',
  'Infinity',
];
const HOSTILE_NUMBERS = [
  0,
  -1,
  -0,
  1.5,
  0.0001,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  -(2 ** 53),
  1e308,
  -1e308,
  4097,
  65536,
];
const HOSTILE_VALUES: unknown[] = [
  ...HOSTILE_STRINGS.slice(0, 12),
  ...HOSTILE_NUMBERS,
  null,
  true,
  false,
  [],
  {},
  [1, 2, 3],
  { nested: { deeper: { deepest: 'x' } } },
];
const b64 = (s: string) => Buffer.from(s).toString('base64');
const HOSTILE_IDS = [
  '',
  'x',
  '%%%',
  b64('Project:not-a-uuid'),
  b64("Project:'; drop table project; --"),
  b64('Project:00000000-0000-0000-0000-000000000000'),
  b64('Run:00000000-0000-0000-0000-000000000000'),
  b64('Nope:00000000-0000-0000-0000-000000000000'),
  b64(`Project:${'a'.repeat(10_000)}`),
  b64('Project'),
  b64(':'),
  'UHJvamVjdDp4'.repeat(1000),
];
const HOSTILE_URLS = [
  'file:///etc/passwd',
  'javascript:alert(1)',
  'gopher://127.0.0.1:25/',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]/',
  'http://0x7f000001/',
  'http://localhost/',
  'http://10.0.0.1/',
  'ftp://example.com/',
  'https://',
  'not a url',
  `https://example.com/${'a'.repeat(10_000)}`,
  'https://user:pass@example.com/',
];

interface Case {
  name: string;
  request: () => Promise<Response>;
  /** What a success would have created, to check the database against afterwards. */
  creates?: 'project' | 'region' | 'reference';
}

let stack: Stack;
let projectId = '';
let regionId = '';

function post(body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return fetch(`${stack.api.url}/graphql`, {
    method: 'POST',
    // JSON only: a subscription over HTTP would otherwise open a (legitimate, endless) event stream.
    headers: { authorization: `Bearer ${stack.alpha.key}`, accept: 'application/json', ...headers },
    body,
  });
}
const gqlCase = (name: string, query: string, variables: unknown, creates?: Case['creates']): Case => ({
  name,
  creates,
  request: () => post(JSON.stringify({ query, variables })),
});

function uploadCase(name: string, bytes: Uint8Array, filename = 'x.png'): Case {
  return {
    name,
    creates: 'reference',
    request: () => {
      const form = new FormData();
      form.append(
        'operations',
        JSON.stringify({
          query: 'mutation($input: AddReferenceInput!) { addReference(input: $input) { reference { id } } }',
          variables: { input: { projectId, image: null } },
        }),
      );
      form.append('map', JSON.stringify({ 0: ['variables.input.image'] }));
      form.append('0', new Blob([new Uint8Array(bytes)]), filename);
      return post(form, { 'x-pakati-csrf': '1' });
    },
  };
}

async function buildCases(): Promise<Case[]> {
  const cases: Case[] = [];
  // Broken HTTP bodies and broken GraphQL.
  const bodies = [
    '',
    '{',
    'null',
    '[]',
    '"query"',
    '{"query": 123}',
    '{"query": null}',
    '{"query": "{ viewer { role } }", "variables": "not an object"}',
    '{"query": "{ viewer { role } }", "variables": [1]}',
    '{"query": "{ viewer { role } }", "operationName": 5}',
    `{"query": "${'{'.repeat(5000)}"}`,
    `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    '{"query": "query { viewer { role } } mutation { x }"}',
    '{"query": "{ viewer { role ", "variables": {}}',
    '{"query": "{ __typename @skip(if: true) @skip(if: true) }"}',
    JSON.stringify({ query: `{ ${'viewer { role } '.repeat(2000)} }` }),
    JSON.stringify({ query: '{ projects(first: -5) { edges { node { id } } } }' }),
    JSON.stringify({ query: '{ projects(first: 1000000) { edges { node { id } } } }' }),
    JSON.stringify({ query: '{ projects(after: "garbage") { edges { node { id } } } }' }),
    JSON.stringify({ query: 'subscription { organizationRunEvents { runId } }' }),
  ];
  for (const [i, body] of bodies.entries()) cases.push({ name: `body ${i}`, request: () => post(body) });
  for (const type of [
    'text/plain',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
  ]) {
    cases.push({
      name: `content-type ${type}`,
      request: () => post('query={viewer{role}}', { 'content-type': type }),
    });
  }
  for (let i = 0; i < 30; i++) {
    const tokens = [
      '{',
      '}',
      '(',
      ')',
      ':',
      '$',
      '@',
      '...',
      'query',
      'mutation',
      '"',
      '#',
      '!',
      '[',
      ']',
      'viewer',
      'role',
      '1e999',
      '\\u0000',
    ];
    const query = Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => pick(tokens)).join(' ');
    cases.push({ name: `random document ${i}`, request: () => post(JSON.stringify({ query })) });
  }

  // Projects: every field hostile, one at a time and all at once.
  const CREATE = 'mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } } }';
  for (const value of HOSTILE_VALUES) {
    for (const field of ['name', 'width', 'height']) {
      cases.push(
        gqlCase(
          `createProject ${field}=${String(value).slice(0, 20)}`,
          CREATE,
          {
            input: { name: 'ok', width: 64, height: 64, [field]: value },
          },
          'project',
        ),
      );
    }
  }
  for (const name of HOSTILE_STRINGS) {
    cases.push(
      gqlCase(
        'updateProject name',
        'mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id } } }',
        {
          input: { id: projectId, name },
        },
      ),
    );
  }

  // Regions: hostile prompts, geometry, numbers.
  const ADD = 'mutation($input: AddRegionInput!) { addRegion(input: $input) { region { id } } }';
  const square = [
    { x: 1, y: 1 },
    { x: 30, y: 1 },
    { x: 30, y: 30 },
    { x: 1, y: 30 },
  ];
  for (const prompt of HOSTILE_STRINGS) {
    cases.push(gqlCase('addRegion prompt', ADD, { input: { projectId, prompt, points: square } }, 'region'));
    cases.push(
      gqlCase(
        'addRegion negativePrompt',
        ADD,
        {
          input: { projectId, prompt: 'fine', negativePrompt: prompt, points: square },
        },
        'region',
      ),
    );
  }
  const shapes: unknown[] = [
    [],
    [{ x: 1, y: 1 }],
    [
      { x: 1, y: 1 },
      { x: 2, y: 2 },
    ],
    [
      { x: 0, y: 0 },
      { x: 60, y: 60 },
      { x: 60, y: 0 },
      { x: 0, y: 60 },
    ],
    Array.from({ length: 3 }, () => ({ x: 1e308, y: -1e308 })),
    Array.from({ length: 20_000 }, (_, i) => ({ x: i % 64, y: (i * 7) % 64 })),
    square.map((p) => ({ ...p, z: 1 })),
    square.map((p) => ({ x: String(p.x), y: p.y })),
    [null, null, null],
    'not a list',
    square.map(() => ({ x: -5, y: -5 })),
  ];
  for (const points of shapes)
    cases.push(gqlCase('addRegion points', ADD, { input: { projectId, prompt: 'p', points } }, 'region'));
  for (const value of HOSTILE_VALUES) {
    for (const field of ['seed', 'zOrder', 'feather', 'model']) {
      cases.push(
        gqlCase(
          `addRegion ${field}`,
          ADD,
          { input: { projectId, prompt: 'p', points: square, [field]: value } },
          'region',
        ),
      );
    }
  }
  const UPDATE_REGION =
    'mutation($input: UpdateRegionInput!) { updateRegion(input: $input) { region { id } } }';
  for (const value of HOSTILE_VALUES) {
    cases.push(gqlCase('updateRegion prompt', UPDATE_REGION, { input: { id: regionId, prompt: value } }));
    cases.push(gqlCase('updateRegion points', UPDATE_REGION, { input: { id: regionId, points: value } }));
  }

  // Forged ids everywhere an id goes.
  const byId = [
    '{ project(id: $id) { id } }',
    '{ run(id: $id) { id } }',
    '{ node(id: $id) { id } }',
    'mutation { cancelRun(id: $id) { run { id } } }',
    'mutation { deleteProject(input: { id: $id }) { deletedProjectId } }',
    'mutation { removeRegion(input: { id: $id }) { __typename } }',
    'mutation { removeReference(input: { id: $id }) { __typename } }',
    'mutation { revokeApiKey(input: { id: $id }) { apiKey { id } } }',
    'mutation { removeMember(input: { id: $id }) { removedMemberId } }',
  ];
  for (const id of HOSTILE_IDS) {
    for (const body of byId) {
      const query = body.startsWith('mutation')
        ? body.replace('mutation', 'mutation($id: ID!)')
        : `query($id: ID!) ${body}`;
      cases.push(gqlCase('forged id', query, { id }));
    }
  }

  // Runs with hostile options.
  const START = 'mutation($input: StartRunInput!) { startRun(input: $input) { run { id } } }';
  for (const value of HOSTILE_VALUES) {
    for (const field of [
      'seed',
      'priority',
      'maxIterations',
      'targetScore',
      'backend',
      'idempotencyKey',
      'strategies',
    ]) {
      cases.push(
        gqlCase(`startRun ${field}`, START, { input: { projectId, kind: 'REFINE', [field]: value } }),
      );
    }
  }
  for (const kind of ['GENERATE', 'generate', 'DROP', '', 5]) {
    cases.push(gqlCase('startRun kind', START, { input: { projectId, kind } }));
  }
  for (const count of [0, -1, 1001, 1.5, 1e9]) {
    cases.push(
      gqlCase(
        'startRuns count',
        'mutation($input: StartRunsInput!) { startRuns(input: $input) { runs { id } } }',
        {
          input: { projectId, kind: 'GENERATE', count },
        },
      ),
    );
  }

  // Webhooks, rules, workflows, members, keys.
  const HOOK =
    'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { webhookEndpoint { id } } }';
  for (const url of HOSTILE_URLS)
    cases.push(gqlCase('webhook url', HOOK, { input: { url, eventTypes: ['RUN_COMPLETED'] } }));
  for (const eventTypes of [[], ['NOPE'], null, ['RUN_COMPLETED', 'RUN_COMPLETED']]) {
    cases.push(gqlCase('webhook events', HOOK, { input: { url: 'https://example.com/h', eventTypes } }));
  }
  const RULES = 'mutation($input: UpdateRuleSetInput!) { updateRuleSet(input: $input) { ruleSet { text } } }';
  for (const text of [
    ...HOSTILE_STRINGS,
    'IF',
    'IF a IS b THEN',
    'IF x IS y THEN z IS w WITH 9',
    'IF (((('.repeat(500),
  ]) {
    cases.push(gqlCase('rules', RULES, { input: { projectId, text } }));
  }
  const WORKFLOW = 'mutation($input: SaveWorkflowInput!) { saveWorkflow(input: $input) { workflow { id } } }';
  const workflows: unknown[] = [
    [],
    [{ id: 'a', kind: 'GENERATE', dependsOn: ['a'] }],
    [
      { id: 'a', kind: 'ADJUST', dependsOn: ['b'] },
      { id: 'b', kind: 'ADJUST', dependsOn: ['a'] },
    ],
    [{ id: 'a', kind: 'UPSCALE', factor: 1000 }],
    [
      { id: 'a', kind: 'GENERATE' },
      { id: 'a', kind: 'GENERATE' },
    ],
    [{ id: 'a', kind: 'ADJUST', dependsOn: ['missing'] }],
    Array.from({ length: 500 }, (_, i) => ({ id: `s${i}`, kind: 'GENERATE' })),
    [{ id: '', kind: 'GENERATE' }],
    [{ id: 'a'.repeat(1000), kind: 'GENERATE' }],
  ];
  for (const steps of workflows)
    cases.push(gqlCase('workflow', WORKFLOW, { input: { projectId, name: 'w', steps } }));
  const MEMBER = 'mutation($input: AddMemberInput!) { addMember(input: $input) { member { id } } }';
  for (const email of [
    '',
    'no-at',
    '@x',
    'a@',
    'a b@c.d',
    `${'a'.repeat(300)}@x.y`,
    '\u0000@x.y',
    'x@y.z\n',
  ]) {
    cases.push(gqlCase('member email', MEMBER, { input: { email, name: 'n', role: 'VIEWER' } }));
  }
  for (const role of ['GOD', '', 'owner', null]) {
    cases.push(gqlCase('member role', MEMBER, { input: { email: 'r@x.y', name: 'n', role } }));
  }
  const KEY = 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }';
  for (const input of [
    { name: 'k', scopes: [] },
    { name: 'k', scopes: ['ROOT'] },
    { name: 'k', expiresAt: 'yesterday' },
    { name: 'k', expiresAt: '1970-01-01T00:00:00Z' },
    { name: 'k', memberId: HOSTILE_IDS[4] },
    { name: '\u0000' },
  ]) {
    cases.push(gqlCase('api key', KEY, { input }));
  }

  // Uploads: not images, broken images, decompression bombs, disguised files.
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0a0' } })
    .png()
    .toBuffer();
  const uploads: [string, Uint8Array, string?][] = [
    ['empty', new Uint8Array(0)],
    ['text', new TextEncoder().encode('hello, not an image')],
    [
      'svg',
      new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'x.svg',
    ],
    ['html named png', new TextEncoder().encode('<html><body>hi</body></html>')],
    ['png header only', png.subarray(0, 8)],
    ['truncated png', png.subarray(0, png.length - 20)],
    ['png then garbage', Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 0xff)])],
    ['zip', Buffer.from('504b030414000000080000000000', 'hex')],
    ['executable', Buffer.from('7f454c46020101000000000000000000', 'hex')],
  ];
  // A tiny PNG whose header claims 100000 x 100000 pixels.
  const bomb = Buffer.from(png);
  bomb.writeUInt32BE(100_000, 16);
  bomb.writeUInt32BE(100_000, 20);
  uploads.push(['pixel bomb', bomb]);
  for (let i = 0; i < 10; i++) {
    const noise = Buffer.from(
      Array.from({ length: 64 + Math.floor(rnd() * 256) }, () => Math.floor(rnd() * 256)),
    );
    // Half of them start like an image, to reach the decoder.
    if (i % 2 === 0) png.subarray(0, 8).copy(noise);
    uploads.push([`noise ${i}`, noise]);
  }
  for (const [name, bytes, filename] of uploads) cases.push(uploadCase(`upload ${name}`, bytes, filename));
  return cases;
}

beforeAll(async () => {
  stack = await startStack({ worker: false });
  ({ projectId, regionId } = await projectWithRegion(stack.alpha.gql));
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

async function counts() {
  const [row] = await stack.platform.orm.em
    .fork()
    .getConnection()
    .execute<{ projects: string; regions: string; references: string }[]>(
      `select (select count(*) from project where organization_id = ?) as projects,
              (select count(*) from region r join project p on p.id = r.project_id where p.organization_id = ?) as regions,
              (select count(*) from reference r join project p on p.id = r.project_id where p.organization_id = ?) as references`,
      Array(3).fill(stack.alpha.organizationId),
    );
  return { project: Number(row!.projects), region: Number(row!.regions), reference: Number(row!.references) };
}

describe('hostile input', () => {
  it('answers 500+ malformed or hostile requests with typed errors only, and writes only what it confirms', async () => {
    const cases = await buildCases();
    expect(cases.length).toBeGreaterThanOrEqual(500);
    const before = await counts();
    const created = { project: 0, region: 0, reference: 0 };
    const failures: string[] = [];
    for (const c of cases) {
      const res = await c.request();
      const text = await res.text();
      if (res.status >= 500) failures.push(`${c.name}: HTTP ${res.status} ${text.slice(0, 200)}`);
      // A refused media type or method is answered by status alone (406, 415).
      if (res.status >= 400 && text === '') continue;
      let body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] } = {};
      try {
        body = JSON.parse(text);
      } catch {
        failures.push(`${c.name}: not JSON (${res.status}): ${text.slice(0, 100)}`);
        continue;
      }
      for (const error of body.errors ?? []) {
        const code = error.extensions?.code;
        if (!code || code === 'INTERNAL') failures.push(`${c.name}: ${JSON.stringify(error).slice(0, 300)}`);
      }
      if (c.creates && !body.errors && body.data) created[c.creates]++;
    }
    expect(failures).toEqual([]);
    const after = await counts();
    expect(after.project - before.project).toBe(created.project);
    expect(after.region - before.region).toBe(created.region);
    expect(after.reference - before.reference).toBe(created.reference);
    // Still serving.
    expect((await fetch(`${stack.api.url}/health/live`)).status).toBe(200);
    const viewer = await stack.alpha.gql<{ viewer: { role: string } }>('{ viewer { role } }');
    expect(viewer.data!.viewer.role).toBe('OWNER');
  }, 180_000);

  it('strips metadata from an uploaded photo, keeping its pixels upright', async () => {
    const jpeg = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#f80' } })
      .jpeg()
      .withMetadata({
        orientation: 6,
        exif: { IFD0: { Copyright: 'secret-owner', Artist: 'secret-artist' } },
      })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query:
          'mutation($input: AddReferenceInput!) { addReference(input: $input) { reference { id imageUrl width height } } }',
        variables: { input: { projectId, image: null } },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.input.image'] }));
    form.append('0', new Blob([new Uint8Array(jpeg)]), 'photo.jpg');
    const res = await post(form, { 'x-pakati-csrf': '1' });
    const body = (await res.json()) as { data: { addReference: { reference: { imageUrl: string } } } };
    const stored = Buffer.from(await (await fetch(body.data.addReference.reference.imageUrl)).arrayBuffer());
    const meta = await sharp(stored).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    // Orientation 6 means "rotate 90°": the stored pixels are already turned.
    expect([meta.width, meta.height]).toEqual([20, 40]);
    expect(stored.includes(Buffer.from('secret-owner'))).toBe(false);
  });
});
