import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPromptEnhancer } from '../src/prompt/enhancer-config.ts';
import { anthropicError, anthropicFakeRewrite, startAnthropicFake } from './fakes/anthropic-fake.ts';
import { openAiChatError, openAiChatFakeRewrite, startOpenAiChatFake } from './fakes/openai-chat-fake.ts';

let openai: Awaited<ReturnType<typeof startOpenAiChatFake>>;
let anthropic: Awaited<ReturnType<typeof startAnthropicFake>>;

beforeAll(async () => {
  [openai, anthropic] = await Promise.all([startOpenAiChatFake(), startAnthropicFake()]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close()]);
});
beforeEach(() => {
  openai.reset();
  anthropic.reset();
});

const ctx = () => ({ signal: new AbortController().signal });

describe('createPromptEnhancer', () => {
  it('defaults to the rule-based enhancer', async () => {
    for (const env of [{}, { PAKATI_PROMPT_ENHANCER: '' }, { PAKATI_PROMPT_ENHANCER: ' Rules ' }]) {
      const enhancer = createPromptEnhancer(env);
      expect(enhancer?.name).toBe('rules');
      const result = await enhancer!.enhance('a teapot', ctx());
      expect(result.enhancer).toBe('rules');
      expect(result.enhanced).toBe(
        'a teapot, highly detailed, sharp focus, balanced composition, professional lighting',
      );
    }
  });

  it('returns null for none', () => {
    expect(createPromptEnhancer({ PAKATI_PROMPT_ENHANCER: 'none' })).toBeNull();
  });

  it('refuses an unknown enhancer or an invalid URL', () => {
    expect(() => createPromptEnhancer({ PAKATI_PROMPT_ENHANCER: 'gpt' })).toThrow(/PAKATI_PROMPT_ENHANCER/);
    expect(() =>
      createPromptEnhancer({
        PAKATI_PROMPT_ENHANCER: 'openai',
        PAKATI_OPENAI_API_KEY: 'k',
        PAKATI_OPENAI_BASE_URL: 'not a url',
      }),
    ).toThrow(/PAKATI_OPENAI_BASE_URL/);
  });

  it('names the missing key for the chosen enhancer', () => {
    expect(() => createPromptEnhancer({ PAKATI_PROMPT_ENHANCER: 'openai' })).toThrow(
      'PAKATI_PROMPT_ENHANCER=openai needs PAKATI_OPENAI_API_KEY',
    );
    expect(() =>
      createPromptEnhancer({ PAKATI_PROMPT_ENHANCER: 'anthropic', PAKATI_OPENAI_API_KEY: 'k' }),
    ).toThrow('PAKATI_PROMPT_ENHANCER=anthropic needs PAKATI_ANTHROPIC_API_KEY');
    expect(() =>
      createPromptEnhancer({ PAKATI_PROMPT_ENHANCER: 'anthropic', PAKATI_ANTHROPIC_API_KEY: '' }),
    ).toThrow(/PAKATI_ANTHROPIC_API_KEY/);
  });

  it('builds a cached OpenAI enhancer that falls back to the rules', async () => {
    const enhancer = createPromptEnhancer({
      PAKATI_PROMPT_ENHANCER: 'openai',
      PAKATI_OPENAI_API_KEY: openai.apiKey,
      PAKATI_OPENAI_BASE_URL: openai.baseUrl,
      PAKATI_PROMPT_ENHANCER_MODEL: 'gpt-4o',
    })!;
    const result = await enhancer.enhance('a lighthouse', ctx());
    expect(result).toMatchObject({
      enhanced: openAiChatFakeRewrite('a lighthouse'),
      enhancer: 'openai-chat',
    });
    expect(openai.bodies()[0]!.model).toBe('gpt-4o');
    await enhancer.enhance('a lighthouse', ctx());
    expect(openai.requests).toHaveLength(1);

    openai.script(openAiChatError(500, 'boom', 'server_error', null));
    expect((await enhancer.enhance('a castle', ctx())).enhancer).toBe('rules');
  });

  it('builds a cached Anthropic enhancer that falls back to the rules', async () => {
    const enhancer = createPromptEnhancer({
      PAKATI_PROMPT_ENHANCER: 'anthropic',
      PAKATI_ANTHROPIC_API_KEY: anthropic.apiKey,
      PAKATI_ANTHROPIC_BASE_URL: anthropic.baseUrl,
    })!;
    const result = await enhancer.enhance('a fox', ctx());
    expect(result).toMatchObject({ enhanced: anthropicFakeRewrite('a fox'), enhancer: 'anthropic' });
    expect(anthropic.bodies()[0]!.model).toBe('claude-3-5-haiku-latest');
    await enhancer.enhance('a fox', ctx());
    expect(anthropic.requests).toHaveLength(1);

    anthropic.script(anthropicError(529, 'overloaded_error', 'Overloaded'));
    const fallback = await enhancer.enhance('a wolf', ctx());
    expect(fallback.enhancer).toBe('rules');
    expect(fallback.enhanced.startsWith('a wolf, ')).toBe(true);
  });

  it('applies PAKATI_PROMPT_ENHANCER_TIMEOUT_MS', async () => {
    const enhancer = createPromptEnhancer({
      PAKATI_PROMPT_ENHANCER: 'anthropic',
      PAKATI_ANTHROPIC_API_KEY: anthropic.apiKey,
      PAKATI_ANTHROPIC_BASE_URL: anthropic.baseUrl,
      PAKATI_PROMPT_ENHANCER_TIMEOUT_MS: '100',
    })!;
    anthropic.script({ delayMs: 3000 });
    const started = performance.now();
    expect((await enhancer.enhance('a fox', ctx())).enhancer).toBe('rules');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
