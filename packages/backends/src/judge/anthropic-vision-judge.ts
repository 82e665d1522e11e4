import { BackendError } from '@pakati/core';
import { z } from 'zod';
import { backendFetch } from '../http-errors.ts';
import { startScope } from '../operation-scope.ts';
import { ANTHROPIC_VERSION, anthropicErrorFromResponse } from '../prompt/anthropic-enhancer.ts';
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

export interface AnthropicVisionJudgeOptions {
  apiKey: string;
  baseUrl?: string;
  model?: string;
  timeoutMs?: number;
}

export const VERDICT_TOOL = 'record_verdict';

const messageResponse = z.object({
  model: z.string().nullish(),
  content: z.array(
    z.object({
      type: z.string(),
      text: z.string().nullish(),
      name: z.string().nullish(),
      input: z.unknown().optional(),
    }),
  ),
  stop_reason: z.string().nullish(),
});

/**
 * Asks Claude for a verdict through a forced tool call (POST /v1/messages). A tool's input arrives as parsed
 * JSON in the shape of its input_schema, on every Claude model since 3, where "answer with JSON only" in text
 * drifts into fences and preambles. A text answer is still read, for gateways that drop tools.
 */
export function createAnthropicVisionJudge(options: AnthropicVisionJudgeOptions): VisionJudge {
  const {
    apiKey,
    baseUrl = 'https://api.anthropic.com',
    model = 'claude-sonnet-4-5',
    timeoutMs = DEFAULT_JUDGE_TIMEOUT_MS,
  } = options;
  const name = 'anthropic-vision';
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
        const res = await backendFetch(name, `${base}/v1/messages`, {
          method: 'POST',
          headers: {
            'x-api-key': apiKey,
            'anthropic-version': ANTHROPIC_VERSION,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            model,
            max_tokens: JUDGE_MAX_TOKENS,
            system: JUDGE_SYSTEM_PROMPT,
            messages: [
              {
                role: 'user',
                // Anthropic advises the image before the text that asks about it.
                content: [
                  { type: 'image', source: { type: 'base64', media_type: sent.mediaType, data: sent.data } },
                  { type: 'text', text: judgeUserText(prompt, sent.regionNote) },
                ],
              },
            ],
            tools: [
              {
                name: VERDICT_TOOL,
                description: 'Record how well the region shows what the prompt describes.',
                input_schema: VERDICT_JSON_SCHEMA,
              },
            ],
            tool_choice: { type: 'tool', name: VERDICT_TOOL },
            temperature: 0,
          }),
          signal: scope.signal,
        });
        if (!res.ok) throw await anthropicErrorFromResponse(name, res);
        const parsed = messageResponse.safeParse(await res.json());
        if (!parsed.success) {
          throw new BackendError('PROTOCOL', name, `unexpected answer: ${parsed.error.message}`);
        }
        const { content, stop_reason } = parsed.data;
        if (stop_reason === 'refusal') {
          throw new BackendError('CONTENT_FILTERED', name, 'the model declined to judge the image');
        }
        if (stop_reason === 'max_tokens') throw new BackendError('PROTOCOL', name, 'the verdict was cut off');
        const served = parsed.data.model ?? model;
        const call = content.find((block) => block.type === 'tool_use' && block.name === VERDICT_TOOL);
        if (call) return parseVerdict(name, call.input, served);
        const text = content.find((block) => block.type === 'text')?.text ?? '';
        if (!text.trim()) throw new BackendError('PROTOCOL', name, 'the model gave no verdict');
        return parseVerdict(name, parseVerdictText(name, text), served);
      } catch (error) {
        throw scope.translate(error);
      } finally {
        scope.dispose();
      }
    },
  };
}
