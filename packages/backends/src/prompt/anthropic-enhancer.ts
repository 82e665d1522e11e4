import { BackendError, type BackendErrorKind, type PromptEnhancer } from '@pakati/core';
import { z } from 'zod';
import { backendFetch, errorFromResponse } from '../http-errors.ts';
import { startScope } from '../operation-scope.ts';
import {
  cleanEnhancedPrompt,
  DEFAULT_ENHANCER_TIMEOUT_MS,
  ENHANCER_MAX_TOKENS,
  ENHANCER_SYSTEM_PROMPT,
  enhancerUserMessage,
  withKind,
} from './remote-enhancer.ts';

export interface AnthropicEnhancerOptions {
  apiKey: string;
  baseUrl?: string;
  model?: string;
  timeoutMs?: number;
  name?: string;
}

/** The Messages API version our request and answer shapes follow. */
export const ANTHROPIC_VERSION = '2023-06-01';

const errorBody = z.object({
  type: z.literal('error'),
  error: z.object({
    type: z.string(),
    message: z.string().nullish(),
    details: z.object({ error_code: z.string().nullish() }).nullish(),
  }),
});

const messageResponse = z.object({
  model: z.string().nullish(),
  content: z.array(z.object({ type: z.string(), text: z.string().nullish() })),
  stop_reason: z.string().nullish(),
});

/**
 * Anthropic names the failure in the body; the status alone misleads (a spend cap is a 429 that no amount of
 * waiting fixes, overload is a 529 that errorFromResponse only knows as some 5xx).
 */
const KIND_OF_ERROR_TYPE: Record<string, BackendErrorKind> = {
  invalid_request_error: 'INVALID_REQUEST',
  not_found_error: 'INVALID_REQUEST',
  request_too_large: 'INVALID_REQUEST',
  authentication_error: 'AUTH',
  permission_error: 'AUTH',
  billing_error: 'AUTH',
  rate_limit_error: 'RATE_LIMITED',
  api_error: 'UNAVAILABLE',
  overloaded_error: 'UNAVAILABLE',
  timeout_error: 'TIMEOUT',
};

/** Shared with the vision judge: the body's error.type decides the kind. */
export async function anthropicErrorFromResponse(name: string, res: Response): Promise<BackendError> {
  let type: string | undefined;
  let errorCode: string | undefined;
  const error = await errorFromResponse(name, res, (body) => {
    const parsed = errorBody.safeParse(body);
    if (!parsed.success) return undefined;
    type = parsed.data.error.type;
    errorCode = parsed.data.error.details?.error_code ?? undefined;
    return parsed.data.error.message ?? undefined;
  });
  let kind = (type && KIND_OF_ERROR_TYPE[type]) || error.kind;
  if (errorCode === 'enforced_spend_limit_reached') kind = 'AUTH';
  return withKind(error, kind, { ...error.details, ...(type ? { providerCode: type } : {}) });
}

/** Rewrites prompts with a Claude model (POST /v1/messages), deterministically at temperature 0. */
export function createAnthropicEnhancer(options: AnthropicEnhancerOptions): PromptEnhancer {
  const {
    apiKey,
    baseUrl = 'https://api.anthropic.com',
    model = 'claude-3-5-haiku-latest',
    timeoutMs = DEFAULT_ENHANCER_TIMEOUT_MS,
    name = 'anthropic',
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
        const res = await backendFetch(name, `${base}/v1/messages`, {
          method: 'POST',
          headers: {
            'x-api-key': apiKey,
            'anthropic-version': ANTHROPIC_VERSION,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            model,
            max_tokens: ENHANCER_MAX_TOKENS,
            system: ENHANCER_SYSTEM_PROMPT,
            messages: [{ role: 'user', content: enhancerUserMessage(prompt, ctx.negativePrompt) }],
            temperature: 0,
          }),
          signal: scope.signal,
        });
        if (!res.ok) throw await anthropicErrorFromResponse(name, res);
        const parsed = messageResponse.safeParse(await res.json());
        if (!parsed.success) {
          throw new BackendError('PROTOCOL', name, `unexpected answer: ${parsed.error.message}`);
        }
        if (parsed.data.stop_reason === 'refusal') {
          throw new BackendError('CONTENT_FILTERED', name, 'the model declined to rewrite the prompt');
        }
        const text = parsed.data.content.find((block) => block.type === 'text')?.text ?? '';
        const enhanced = cleanEnhancedPrompt(text);
        if (!enhanced) throw new BackendError('PROTOCOL', name, 'the model answered with an empty prompt');
        // An alias like claude-3-5-haiku-latest is answered with the dated model that served it.
        return { original: prompt, enhanced, enhancer: name, model: parsed.data.model ?? model };
      } catch (error) {
        throw scope.translate(error);
      } finally {
        scope.dispose();
      }
    },
  };
}
