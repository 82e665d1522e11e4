import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicEnhancer } from '../src/prompt/anthropic-enhancer.ts';
import {
  anthropicAnswer,
  anthropicError,
  anthropicFakeRewrite,
  startAnthropicFake,
} from './fakes/anthropic-fake.ts';
import { backendFailure as failure } from './helpers/rasters.ts';

type Fake = Awaited<ReturnType<typeof startAnthropicFake>>;
let fake: Fake;

beforeAll(async () => {
  fake = await startAnthropicFake();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const ctx = (negativePrompt?: string | null, signal = new AbortController().signal) => ({
  signal,
  negativePrompt,
});

function enhancer(extra: Partial<Parameters<typeof createAnthropicEnhancer>[0]> = {}) {
  return createAnthropicEnhancer({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, ...extra });
}

describe('Anthropic enhancer wire format', () => {
  it('posts to /v1/messages with x-api-key, anthropic-version and a top-level system prompt', async () => {
    const result = await enhancer().enhance('a fox in the snow', ctx());
    expect(result).toEqual({
      original: 'a fox in the snow',
      enhanced: anthropicFakeRewrite('a fox in the snow'),
      enhancer: 'anthropic',
      model: 'claude-3-5-haiku-20241022',
    });
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/v1/messages');
    expect(req!.headers['x-api-key']).toBe(fake.apiKey);
    expect(req!.headers['anthropic-version']).toBe('2023-06-01');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers.authorization).toBeUndefined();
    const [body] = fake.bodies();
    expect(body!.model).toBe('claude-3-5-haiku-latest');
    expect(body!.temperature).toBe(0);
    expect(body!.max_tokens).toBeGreaterThanOrEqual(160);
    expect(typeof body!.system).toBe('string');
    expect(body!.system).toMatch(/120 words/);
    expect(body!.system).toMatch(/negative prompt/i);
    expect(body!.messages).toEqual([{ role: 'user', content: 'Prompt: a fox in the snow' }]);
  });

  it('passes the negative prompt along and uses the configured model', async () => {
    await enhancer({ model: 'claude-sonnet-4-5' }).enhance('a fox', ctx('hunters'));
    const [body] = fake.bodies();
    expect(body!.model).toBe('claude-sonnet-4-5');
    expect(body!.messages).toEqual([{ role: 'user', content: 'Prompt: a fox\nNegative prompt: hunters' }]);
  });

  it('reads the first text block and cleans it', async () => {
    fake.script(
      anthropicAnswer([
        { type: 'thinking', text: 'not this' },
        { type: 'text', text: '"A fox curled in fresh snow, soft dawn light"\n' },
      ]),
    );
    expect((await enhancer().enhance('a fox', ctx())).enhanced).toBe(
      'A fox curled in fresh snow, soft dawn light',
    );
  });
});

describe('Anthropic enhancer errors', () => {
  it('reports an empty answer as PROTOCOL and a refusal as CONTENT_FILTERED', async () => {
    fake.script(
      anthropicAnswer([{ type: 'text', text: '  ' }]),
      anthropicAnswer([]),
      { status: 200, body: { type: 'message' } },
      anthropicAnswer([], 'refusal'),
    );
    for (let i = 0; i < 3; i++)
      expect((await failure(enhancer().enhance('a fox', ctx()))).kind).toBe('PROTOCOL');
    expect((await failure(enhancer().enhance('a fox', ctx()))).kind).toBe('CONTENT_FILTERED');
  });

  it('reads overloaded_error (529) as UNAVAILABLE', async () => {
    fake.script(anthropicError(529, 'overloaded_error', 'Overloaded'));
    const error = await failure(enhancer().enhance('a fox', ctx()));
    expect(error.kind).toBe('UNAVAILABLE');
    expect(error.details.status).toBe(529);
    expect(error.details.providerCode).toBe('overloaded_error');
    expect(error.message).toContain('Overloaded');
  });

  it('reads rate_limit_error (429) as RATE_LIMITED with retry-after', async () => {
    fake.script(
      anthropicError(
        429,
        'rate_limit_error',
        'Number of request tokens has exceeded your per-minute rate limit',
        {
          'retry-after': '12',
        },
      ),
    );
    const error = await failure(enhancer().enhance('a fox', ctx()));
    expect(error.kind).toBe('RATE_LIMITED');
    expect(error.details.retryAfterMs).toBe(12_000);
  });

  it('reads a spend cap, though a 429, as AUTH', async () => {
    fake.script({
      status: 429,
      body: {
        type: 'error',
        error: {
          type: 'rate_limit_error',
          message: 'You have reached your spend limit',
          details: { error_code: 'enforced_spend_limit_reached' },
        },
      },
    });
    expect((await failure(enhancer().enhance('a fox', ctx()))).kind).toBe('AUTH');
  });

  it('reads api_error (500) as UNAVAILABLE and a bad key (401) as AUTH', async () => {
    fake.script(anthropicError(500, 'api_error', 'Internal server error'));
    expect((await failure(enhancer().enhance('a fox', ctx()))).kind).toBe('UNAVAILABLE');
    const auth = await failure(enhancer({ apiKey: 'sk-ant-wrong' }).enhance('a fox', ctx()));
    expect(auth.kind).toBe('AUTH');
    expect(auth.details.status).toBe(401);
    expect(auth.details.providerCode).toBe('authentication_error');
  });

  it('reads invalid_request_error as INVALID_REQUEST', async () => {
    fake.script(anthropicError(400, 'invalid_request_error', 'max_tokens: Field required'));
    expect((await failure(enhancer().enhance('a fox', ctx()))).kind).toBe('INVALID_REQUEST');
  });

  it('gives up with TIMEOUT when the answer is late', async () => {
    fake.script({ delayMs: 3000 });
    const started = performance.now();
    expect((await failure(enhancer({ timeoutMs: 150 }).enhance('a fox', ctx()))).kind).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reports the caller aborting as CANCELLED', async () => {
    fake.script({ delayMs: 3000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect((await failure(enhancer().enhance('a fox', ctx(null, controller.signal)))).kind).toBe('CANCELLED');
  });
});
