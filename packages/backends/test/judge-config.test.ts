import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVisionJudge } from '../src/judge/judge-config.ts';
import { anthropicError, FAKE_ANTHROPIC_VERDICT, startAnthropicFake } from './fakes/anthropic-fake.ts';
import { FAKE_OPENAI_VERDICT, startOpenAiChatFake } from './fakes/openai-chat-fake.ts';
import { backendFailure as failure, solid } from './helpers/rasters.ts';

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

const request = () => ({ image: solid(64, 48, [200, 0, 0]), region: null, prompt: 'a red wall' });

describe('createVisionJudge', () => {
  it('is off unless asked for', () => {
    for (const env of [{}, { PAKATI_VISION_JUDGE: '' }, { PAKATI_VISION_JUDGE: ' None ' }]) {
      expect(createVisionJudge({ ...env, PAKATI_OPENAI_API_KEY: 'k' })).toBeNull();
    }
  });

  it('refuses an unknown judge, a bad timeout or an invalid URL', () => {
    expect(() => createVisionJudge({ PAKATI_VISION_JUDGE: 'gemini' })).toThrow(/PAKATI_VISION_JUDGE/);
    expect(() =>
      createVisionJudge({
        PAKATI_VISION_JUDGE: 'openai',
        PAKATI_OPENAI_API_KEY: 'k',
        PAKATI_VISION_JUDGE_TIMEOUT_MS: '-5',
      }),
    ).toThrow(/PAKATI_VISION_JUDGE_TIMEOUT_MS/);
    expect(() =>
      createVisionJudge({
        PAKATI_VISION_JUDGE: 'anthropic',
        PAKATI_ANTHROPIC_API_KEY: 'k',
        PAKATI_ANTHROPIC_BASE_URL: 'not a url',
      }),
    ).toThrow(/PAKATI_ANTHROPIC_BASE_URL/);
  });

  it('names the missing key for the chosen provider', () => {
    expect(() => createVisionJudge({ PAKATI_VISION_JUDGE: 'openai' })).toThrow(
      'PAKATI_VISION_JUDGE=openai needs PAKATI_OPENAI_API_KEY',
    );
    expect(() =>
      createVisionJudge({
        PAKATI_VISION_JUDGE: 'anthropic',
        PAKATI_OPENAI_API_KEY: 'k',
        PAKATI_ANTHROPIC_API_KEY: ' ',
      }),
    ).toThrow('PAKATI_VISION_JUDGE=anthropic needs PAKATI_ANTHROPIC_API_KEY');
  });

  it('builds an OpenAI judge on the shared key and base URL, with the judge model', async () => {
    const judge = createVisionJudge({
      PAKATI_VISION_JUDGE: 'OpenAI',
      PAKATI_VISION_JUDGE_MODEL: 'gpt-4.1-mini',
      PAKATI_OPENAI_API_KEY: openai.apiKey,
      PAKATI_OPENAI_BASE_URL: openai.baseUrl,
    })!;
    expect(judge.name).toBe('openai-vision');
    expect((await judge.judge(request())).score).toBe(FAKE_OPENAI_VERDICT.score);
    expect(openai.bodies()[0]!.model).toBe('gpt-4.1-mini');
    expect(openai.images()[0]).toMatchObject({ width: 64, height: 48 });
  });

  it('builds an Anthropic judge with its default model and PAKATI_VISION_JUDGE_TIMEOUT_MS', async () => {
    const judge = createVisionJudge({
      PAKATI_VISION_JUDGE: 'anthropic',
      PAKATI_VISION_JUDGE_TIMEOUT_MS: '100',
      PAKATI_ANTHROPIC_API_KEY: anthropic.apiKey,
      PAKATI_ANTHROPIC_BASE_URL: anthropic.baseUrl,
    })!;
    expect(judge.name).toBe('anthropic-vision');
    expect((await judge.judge(request())).score).toBe(FAKE_ANTHROPIC_VERDICT.score);
    expect(anthropic.bodies()[0]!.model).toBe('claude-sonnet-4-5');

    anthropic.script({ delayMs: 3000 });
    expect((await failure(judge.judge(request()))).kind).toBe('TIMEOUT');
    anthropic.script(anthropicError(401, 'authentication_error', 'invalid x-api-key'));
    expect((await failure(judge.judge(request()))).kind).toBe('AUTH');
  });
});
