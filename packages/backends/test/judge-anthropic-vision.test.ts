import type { RasterImage } from '@pakati/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeImage } from '../src/image-codec.ts';
import { createAnthropicVisionJudge, VERDICT_TOOL } from '../src/judge/anthropic-vision-judge.ts';
import { JUDGE_SYSTEM_PROMPT, type JudgeRequest } from '../src/judge/vision-judge.ts';
import {
  anthropicAnswer,
  anthropicError,
  anthropicToolAnswer,
  FAKE_ANTHROPIC_VERDICT,
  startAnthropicFake,
} from './fakes/anthropic-fake.ts';
import { backendFailure as failure, pixel, solid } from './helpers/rasters.ts';

type Fake = Awaited<ReturnType<typeof startAnthropicFake>>;
let fake: Fake;

beforeAll(async () => {
  fake = await startAnthropicFake();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

/** 600×400, green on the top half and yellow below. */
function canvas(): RasterImage {
  const image = solid(600, 400, [30, 200, 30]);
  for (let y = 200; y < 400; y++)
    for (let x = 0; x < 600; x++) image.data.set([230, 230, 20], (y * 600 + x) * 4);
  return image;
}

/** A 160×80 triangle in the yellow half, near the right edge. */
const triangle = {
  id: 'tri',
  points: [
    { x: 420, y: 300 },
    { x: 580, y: 300 },
    { x: 500, y: 380 },
  ],
};

function request(extra: Partial<JudgeRequest> = {}): JudgeRequest {
  return { image: canvas(), region: triangle, prompt: 'a yellow field', ...extra };
}

function judge(extra: Partial<Parameters<typeof createAnthropicVisionJudge>[0]> = {}) {
  return createAnthropicVisionJudge({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, ...extra });
}

type Body = {
  model: string;
  system: string;
  temperature: number;
  max_tokens: number;
  messages: { role: string; content: Record<string, unknown>[] }[];
  tools: { name: string; input_schema: Record<string, unknown> }[];
  tool_choice: unknown;
};

const body = () => fake.bodies()[0] as unknown as Body;

describe('Anthropic vision judge wire format', () => {
  it('sends the padded crop as a base64 image block and forces the verdict tool', async () => {
    const verdict = await judge().judge(request());
    expect(verdict).toEqual({ ...FAKE_ANTHROPIC_VERDICT, model: 'claude-sonnet-4-5-20250929' });
    const [req] = fake.requests;
    expect(req!.path).toBe('/v1/messages');
    expect(req!.headers['x-api-key']).toBe(fake.apiKey);
    expect(req!.headers['anthropic-version']).toBe('2023-06-01');
    expect(req!.headers.authorization).toBeUndefined();
    const sent = body();
    expect(sent.model).toBe('claude-sonnet-4-5');
    expect(sent.system).toBe(JUDGE_SYSTEM_PROMPT);
    expect(sent.temperature).toBe(0);
    expect(sent.messages).toHaveLength(1);
    const [image, text] = sent.messages[0]!.content;
    expect(image).toMatchObject({ type: 'image', source: { type: 'base64', media_type: 'image/png' } });
    expect(text).toMatchObject({ type: 'text' });
    expect(text!.text).toContain('Prompt: "a yellow field"');
    expect(sent.tools.map((t) => t.name)).toEqual([VERDICT_TOOL]);
    expect(sent.tools[0]!.input_schema).toMatchObject({ type: 'object', required: ['score', 'reasons'] });
    expect(sent.tool_choice).toEqual({ type: 'tool', name: VERDICT_TOOL });

    // Padded by 20 px a side and clipped by the canvas: x 400..600, y 280..400.
    const [received] = fake.images();
    expect(received).toMatchObject({ format: 'png', width: 200, height: 120 });
    expect(pixel(await decodeImage(received!.bytes), 10, 10)).toEqual([230, 230, 20]);
  });

  it('uses the configured model and sends the whole image, downscaled, without a region', async () => {
    await judge({ model: 'claude-opus-4-1' }).judge(
      request({ image: solid(500, 1536, [1, 2, 3]), region: null }),
    );
    expect(body().model).toBe('claude-opus-4-1');
    expect(fake.images()[0]).toMatchObject({ width: 250, height: 768 });
  });

  it('reads a JSON text answer, fenced or not, when a gateway drops the tool', async () => {
    fake.script(
      anthropicAnswer([{ type: 'text', text: '```json\n{"score": 0.3, "reasons": ["mostly green"]}\n```' }]),
      anthropicAnswer([{ type: 'text', text: 'Here is my verdict: {"score": 1, "reasons": []}' }]),
    );
    expect(await judge().judge(request())).toEqual({
      score: 0.3,
      reasons: ['mostly green'],
      model: 'claude-3-5-haiku-20241022',
    });
    expect((await judge().judge(request())).score).toBe(1);
  });
});

describe('Anthropic vision judge errors', () => {
  it('reports malformed, missing or cut-off verdicts as PROTOCOL', async () => {
    fake.script(
      anthropicAnswer([{ type: 'text', text: 'It looks like a field.' }]),
      anthropicAnswer([]),
      anthropicToolAnswer(VERDICT_TOOL, { score: 'high', reasons: [] }),
      anthropicToolAnswer(VERDICT_TOOL, {}, 'max_tokens'),
      { status: 200, body: { content: 'nope' } },
    );
    for (let i = 0; i < 5; i++) expect((await failure(judge().judge(request()))).kind).toBe('PROTOCOL');
  });

  it('rejects a score outside 0..1', async () => {
    fake.script(
      anthropicToolAnswer(VERDICT_TOOL, { score: 7, reasons: ['great'] }),
      anthropicToolAnswer(VERDICT_TOOL, { score: -1, reasons: [] }),
    );
    for (let i = 0; i < 2; i++) {
      const error = await failure(judge().judge(request()));
      expect(error.kind).toBe('PROTOCOL');
      expect(error.message).toMatch(/score/);
    }
  });

  it('reports a refusal as CONTENT_FILTERED', async () => {
    fake.script(anthropicAnswer([], 'refusal'));
    expect((await failure(judge().judge(request()))).kind).toBe('CONTENT_FILTERED');
  });

  it('maps 429, 500, overload and a bad key to the right kinds', async () => {
    fake.script(
      anthropicError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', {
        'retry-after': '12',
      }),
      anthropicError(500, 'api_error', 'Internal server error'),
      anthropicError(529, 'overloaded_error', 'Overloaded'),
    );
    const limited = await failure(judge().judge(request()));
    expect(limited).toMatchObject({ kind: 'RATE_LIMITED', details: { retryAfterMs: 12_000 } });
    expect((await failure(judge().judge(request()))).kind).toBe('UNAVAILABLE');
    expect((await failure(judge().judge(request()))).kind).toBe('UNAVAILABLE');
    const auth = await failure(judge({ apiKey: 'sk-ant-wrong' }).judge(request()));
    expect(auth).toMatchObject({
      kind: 'AUTH',
      details: { status: 401, providerCode: 'authentication_error' },
    });
  });

  it('gives up with TIMEOUT and reports an abort as CANCELLED', async () => {
    fake.script({ delayMs: 3000 });
    const started = performance.now();
    expect((await failure(judge({ timeoutMs: 150 }).judge(request()))).kind).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2000);

    fake.script({ delayMs: 3000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect((await failure(judge().judge(request({ signal: controller.signal })))).kind).toBe('CANCELLED');
  });

  it('is checked by a fake that refuses a mislabelled image or an unknown forced tool', async () => {
    await judge().judge(request());
    const png = body().messages[0]!.content[0] as { source: { data: string } };
    fake.reset();
    const post = (content: unknown[], toolChoice?: unknown) =>
      fetch(`${fake.baseUrl}/v1/messages`, {
        method: 'POST',
        headers: {
          'x-api-key': fake.apiKey,
          'anthropic-version': '2023-06-01',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          model: 'claude-sonnet-4-5',
          max_tokens: 10,
          messages: [{ role: 'user', content }],
          ...(toolChoice
            ? { tools: [{ name: 'a', input_schema: { type: 'object' } }], tool_choice: toolChoice }
            : {}),
        }),
      });
    const jpegLabel = {
      type: 'image',
      source: { type: 'base64', media_type: 'image/jpeg', data: png.source.data },
    };
    expect((await post([jpegLabel])).status).toBe(400);
    expect((await post([{ type: 'text', text: 'hi' }], { type: 'tool', name: 'b' })).status).toBe(400);
    expect(fake.images()).toHaveLength(0);
  });
});
