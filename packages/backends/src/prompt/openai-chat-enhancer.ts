import { BackendError, type PromptEnhancer } from '@pakati/core';
import { z } from 'zod';
import { backendFetch, errorFromResponse } from '../http-errors.ts';
import { parseOpenAiResetDuration } from '../openai/openai-backend.ts';
import { startScope } from '../operation-scope.ts';
import {
  cleanEnhancedPrompt,
  DEFAULT_ENHANCER_TIMEOUT_MS,
  ENHANCER_MAX_TOKENS,
  ENHANCER_SYSTEM_PROMPT,
  enhancerUserMessage,
  withKind,
} from './remote-enhancer.ts';

export interface OpenAiChatEnhancerOptions {
  apiKey: string;
  /** Any server speaking OpenAI's Chat Completions API (Azure, vLLM, Ollama, LiteLLM…) works here. */
  baseUrl?: string;
  model?: string;
  timeoutMs?: number;
  organization?: string;
  name?: string;
}

const errorBody = z.object({
  error: z.object({
    message: z.string().nullish(),
    type: z.string().nullish(),
    code: z.string().nullish(),
  }),
});

const chatResponse = z.object({
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
});

function retryAfterFromHeaders(headers: Headers): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  return (
    parseOpenAiResetDuration(headers.get('x-ratelimit-reset-requests')) ??
    parseOpenAiResetDuration(headers.get('x-ratelimit-reset-tokens'))
  );
}

/** OpenAI's error body names the failure more precisely than the status; shared with the vision judge. */
export async function openAiErrorFromResponse(name: string, res: Response): Promise<BackendError> {
  let code: string | undefined;
  const error = await errorFromResponse(name, res, (body) => {
    const parsed = errorBody.safeParse(body);
    if (!parsed.success) return undefined;
    code = parsed.data.error.code ?? parsed.data.error.type ?? undefined;
    return parsed.data.error.message ?? undefined;
  });
  const details = {
    ...error.details,
    ...(code ? { providerCode: code } : {}),
    retryAfterMs:
      error.details.retryAfterMs ?? (res.status === 429 ? retryAfterFromHeaders(res.headers) : undefined),
  };
  // Out of credit is a 429 too, but waiting will not fix a billing problem.
  return withKind(error, code === 'insufficient_quota' ? 'AUTH' : error.kind, details);
}

/** Rewrites prompts with an OpenAI chat model (POST /chat/completions), deterministically at temperature 0. */
export function createOpenAiChatEnhancer(options: OpenAiChatEnhancerOptions): PromptEnhancer {
  const {
    apiKey,
    baseUrl = 'https://api.openai.com/v1',
    model = 'gpt-4o-mini',
    timeoutMs = DEFAULT_ENHANCER_TIMEOUT_MS,
    organization,
    name = 'openai-chat',
  } = options;
  const base = baseUrl.replace(/\/+$/, '');

  return {
    name,
    model,
    async enhance(prompt, ctx) {
      if (ctx.signal.aborted) throw new BackendError('CANCELLED', name, 'cancelled');
      if (!prompt.trim()) return { original: prompt, enhanced: prompt, enhancer: name, model };
      const scope = startScope(name, ctx.signal, timeoutMs);
      try {
        const res = await backendFetch(name, `${base}/chat/completions`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${apiKey}`,
            'Content-Type': 'application/json',
            ...(organization ? { 'OpenAI-Organization': organization } : {}),
          },
          body: JSON.stringify({
            model,
            messages: [
              { role: 'system', content: ENHANCER_SYSTEM_PROMPT },
              { role: 'user', content: enhancerUserMessage(prompt, ctx.negativePrompt) },
            ],
            temperature: 0,
            max_tokens: ENHANCER_MAX_TOKENS,
          }),
          signal: scope.signal,
        });
        if (!res.ok) throw await openAiErrorFromResponse(name, res);
        const parsed = chatResponse.safeParse(await res.json());
        if (!parsed.success) {
          throw new BackendError('PROTOCOL', name, `unexpected answer: ${parsed.error.message}`);
        }
        const [choice] = parsed.data.choices;
        if (choice!.message.refusal || choice!.finish_reason === 'content_filter') {
          throw new BackendError('CONTENT_FILTERED', name, choice!.message.refusal ?? 'answer was filtered');
        }
        const enhanced = cleanEnhancedPrompt(choice!.message.content ?? '');
        if (!enhanced) throw new BackendError('PROTOCOL', name, 'the model answered with an empty prompt');
        // The answer names the exact snapshot (gpt-4o-mini-2024-07-18), which is what a record should keep.
        return { original: prompt, enhanced, enhancer: name, model: parsed.data.model ?? model };
      } catch (error) {
        throw scope.translate(error);
      } finally {
        scope.dispose();
      }
    },
  };
}
