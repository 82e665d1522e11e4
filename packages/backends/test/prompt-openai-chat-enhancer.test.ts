import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiChatEnhancer } from '../src/prompt/openai-chat-enhancer.ts';
import { cleanEnhancedPrompt } from '../src/prompt/remote-enhancer.ts';
import {
  openAiChatAnswer,
  openAiChatError,
  openAiChatFakeRewrite,
  startOpenAiChatFake,
} from './fakes/openai-chat-fake.ts';
import { backendFailure as failure } from './helpers/rasters.ts';

type Fake = Awaited<ReturnType<typeof startOpenAiChatFake>>;
let fake: Fake;

beforeAll(async () => {
  fake = await startOpenAiChatFake();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const ctx = (negativePrompt?: string | null, signal = new AbortController().signal) => ({
  signal,
  negativePrompt,
});

function enhancer(extra: Partial<Parameters<typeof createOpenAiChatEnhancer>[0]> = {}) {
  return createOpenAiChatEnhancer({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, ...extra });
}

describe('OpenAI chat enhancer wire format', () => {
  it('posts a system and a user message to /chat/completions at temperature 0', async () => {
    const result = await enhancer({ organization: 'org-42' }).enhance('a lighthouse in a storm', ctx());
    expect(result).toEqual({
      original: 'a lighthouse in a storm',
      enhanced: openAiChatFakeRewrite('a lighthouse in a storm'),
      enhancer: 'openai-chat',
      model: 'gpt-4o-mini-2024-07-18',
    });
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/v1/chat/completions');
    expect(req!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(req!.headers['openai-organization']).toBe('org-42');
    expect(req!.headers['content-type']).toBe('application/json');
    const [body] = fake.bodies();
    expect(body!.model).toBe('gpt-4o-mini');
    expect(body!.temperature).toBe(0);
    expect(body!.max_tokens).toBeGreaterThanOrEqual(160);
    const messages = body!.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[0]!.content).toMatch(/single/i);
    expect(messages[0]!.content).toMatch(/120 words/);
    expect(messages[0]!.content).toMatch(/no quotes/i);
    expect(messages[0]!.content).toMatch(/negative prompt/i);
    expect(messages[1]!.content).toBe('Prompt: a lighthouse in a storm');
  });

  it('passes the negative prompt along and uses the configured model', async () => {
    await enhancer({ model: 'gpt-4o' }).enhance('a lighthouse', ctx('people, boats'));
    const [body] = fake.bodies();
    expect(body!.model).toBe('gpt-4o');
    const user = (body!.messages as { content: string }[])[1]!.content;
    expect(user).toBe('Prompt: a lighthouse\nNegative prompt: people, boats');
    expect(fake.requests[0]!.headers['openai-organization']).toBeUndefined();
  });

  it('tolerates a trailing slash on the base URL', async () => {
    await enhancer({ baseUrl: `${fake.baseUrl}/` }).enhance('a lighthouse', ctx());
    expect(fake.requests[0]!.path).toBe('/v1/chat/completions');
  });

  it('strips quotes, labels and line breaks the model wraps its answer in', async () => {
    fake.script(openAiChatAnswer('  "A castle at dusk,\n volumetric fog"  \n'));
    expect((await enhancer().enhance('a castle', ctx())).enhanced).toBe('A castle at dusk, volumetric fog');
    expect(cleanEnhancedPrompt('Enhanced prompt: “a red kite over dunes”')).toBe('a red kite over dunes');
    expect(cleanEnhancedPrompt('\'a sign reading "OPEN"\'')).toBe('a sign reading "OPEN"');
    expect(cleanEnhancedPrompt('the "Mona Lisa" in neon')).toBe('the "Mona Lisa" in neon');
  });

  it('does not call the API for an empty prompt', async () => {
    const result = await enhancer().enhance('  ', ctx());
    expect(result.enhanced).toBe('  ');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('OpenAI chat enhancer errors', () => {
  it('reports an empty or missing answer as PROTOCOL', async () => {
    fake.script(openAiChatAnswer('  ""  '), openAiChatAnswer(null), { status: 200, body: { choices: [] } });
    for (let i = 0; i < 3; i++)
      expect((await failure(enhancer().enhance('a cat', ctx()))).kind).toBe('PROTOCOL');
  });

  it('reports a refusal as CONTENT_FILTERED', async () => {
    fake.script(openAiChatAnswer(null, { refusal: "I can't help with that." }));
    const error = await failure(enhancer().enhance('a cat', ctx()));
    expect(error.kind).toBe('CONTENT_FILTERED');
    expect(error.message).toContain("I can't help with that.");
  });

  it('reads a 429 as RATE_LIMITED with the wait from retry-after or retry-after-ms', async () => {
    fake.script(
      openAiChatError(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded', {
        'retry-after': '7',
      }),
      openAiChatError(429, 'Rate limit reached for tokens', 'tokens', 'rate_limit_exceeded', {
        'retry-after-ms': '1500',
      }),
    );
    const first = await failure(enhancer().enhance('a cat', ctx()));
    expect(first.kind).toBe('RATE_LIMITED');
    expect(first.details.retryAfterMs).toBe(7000);
    expect(first.details.status).toBe(429);
    expect(first.message).toContain('Rate limit reached for requests');
    const second = await failure(enhancer().enhance('a cat', ctx()));
    expect(second.kind).toBe('RATE_LIMITED');
    expect(second.details.retryAfterMs).toBe(1500);
  });

  it('reads running out of credit as AUTH, not as a rate limit to wait out', async () => {
    fake.script(
      openAiChatError(429, 'You exceeded your current quota', 'insufficient_quota', 'insufficient_quota'),
    );
    const error = await failure(enhancer().enhance('a cat', ctx()));
    expect(error.kind).toBe('AUTH');
    expect(error.details.providerCode).toBe('insufficient_quota');
  });

  it('reads 500 and 503 as UNAVAILABLE and a bad key as AUTH', async () => {
    fake.script(
      openAiChatError(500, 'The server had an error', 'server_error', null),
      openAiChatError(503, 'The engine is currently overloaded', 'server_error', null),
    );
    expect((await failure(enhancer().enhance('a cat', ctx()))).kind).toBe('UNAVAILABLE');
    expect((await failure(enhancer().enhance('a cat', ctx()))).kind).toBe('UNAVAILABLE');
    const auth = await failure(enhancer({ apiKey: 'sk-wrong' }).enhance('a cat', ctx()));
    expect(auth.kind).toBe('AUTH');
    expect(auth.details.status).toBe(401);
    expect(auth.details.providerCode).toBe('invalid_api_key');
  });

  it('gives up with TIMEOUT when the answer is late', async () => {
    fake.script({ delayMs: 3000 });
    const started = performance.now();
    const error = await failure(enhancer({ timeoutMs: 150 }).enhance('a cat', ctx()));
    expect(error.kind).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reports the caller aborting as CANCELLED', async () => {
    fake.script({ delayMs: 3000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(enhancer().enhance('a cat', ctx(null, controller.signal)));
    expect(error.kind).toBe('CANCELLED');
    const aborted = new AbortController();
    aborted.abort();
    fake.reset();
    expect((await failure(enhancer().enhance('a cat', ctx(null, aborted.signal)))).kind).toBe('CANCELLED');
    expect(fake.requests).toHaveLength(0);
  });

  it('reports a refused connection as UNAVAILABLE', async () => {
    const closed = await startOpenAiChatFake();
    await closed.close();
    const error = await failure(
      createOpenAiChatEnhancer({ apiKey: 'sk-test', baseUrl: closed.baseUrl }).enhance('a cat', ctx()),
    );
    expect(error.kind).toBe('UNAVAILABLE');
  });
});
