import { BackendError } from '@pakati/core';
import { z } from 'zod';
import { backendFetch } from '../http-errors.ts';
import { startScope } from '../operation-scope.ts';
import { openAiErrorFromResponse } from '../prompt/openai-chat-enhancer.ts';
import { prepareJudgeImage } from './judge-image.ts';
import {
  DEFAULT_JUDGE_TIMEOUT_MS,
  JUDGE_MAX_TOKENS,
  JUDGE_SYSTEM_PROMPT,
  type JudgeVerdict,
  judgeUserText,
  parseVerdict,
  parseVerdictText,
  VERDICT_JSON_SCHEMA,
  type VisionJudge,
} from './vision-judge.ts';

export interface OpenAiVisionJudgeOptions {
  apiKey: string;
  /** Includes /v1, as PAKATI_OPENAI_BASE_URL does for the prompt enhancer; any Chat Completions server works. */
  baseUrl?: string;
  model?: string;
  timeoutMs?: number;
  organization?: string;
}

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

/** Asks an OpenAI vision model for a verdict under a strict JSON schema (POST /chat/completions). */
export function createOpenAiVisionJudge(options: OpenAiVisionJudgeOptions): VisionJudge {
  const {
    apiKey,
    baseUrl = 'https://api.openai.com/v1',
    model = 'gpt-4o-mini',
    timeoutMs = DEFAULT_JUDGE_TIMEOUT_MS,
    organization,
  } = options;
  const name = 'openai-vision';
  const base = baseUrl.replace(/\/+$/, '');

  return {
    name,
    async judge({ image, region, prompt, signal = new AbortController().signal }): Promise<JudgeVerdict> {
      if (signal.aborted) throw new BackendError('CANCELLED', name, 'cancelled');
      if (!prompt.trim())
        throw new BackendError('INVALID_REQUEST', name, 'nothing to judge: the prompt is empty');
      const scope = startScope(name, signal, timeoutMs);
      try {
        const sent = await prepareJudgeImage(name, image, region);
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
              { role: 'system', content: JUDGE_SYSTEM_PROMPT },
              {
                role: 'user',
                content: [
                  { type: 'text', text: judgeUserText(prompt, sent.regionNote) },
                  { type: 'image_url', image_url: { url: `data:${sent.mediaType};base64,${sent.data}` } },
                ],
              },
            ],
            response_format: {
              type: 'json_schema',
              json_schema: { name: 'region_verdict', strict: true, schema: VERDICT_JSON_SCHEMA },
            },
            temperature: 0,
            max_tokens: JUDGE_MAX_TOKENS,
          }),
          signal: scope.signal,
        });
        if (!res.ok) throw await openAiErrorFromResponse(name, res);
        const parsed = chatResponse.safeParse(await res.json());
        if (!parsed.success) {
          throw new BackendError('PROTOCOL', name, `unexpected answer: ${parsed.error.message}`);
        }
        const { message, finish_reason } = parsed.data.choices[0]!;
        if (message.refusal || finish_reason === 'content_filter') {
          throw new BackendError('CONTENT_FILTERED', name, message.refusal ?? 'answer was filtered');
        }
        if (finish_reason === 'length') throw new BackendError('PROTOCOL', name, 'the verdict was cut off');
        if (!message.content?.trim()) throw new BackendError('PROTOCOL', name, 'the model gave no verdict');
        return parseVerdict(name, parseVerdictText(name, message.content), parsed.data.model ?? model);
      } catch (error) {
        throw scope.translate(error);
      } finally {
        scope.dispose();
      }
    },
  };
}
