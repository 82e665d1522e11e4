import { createRuleBasedEnhancer, type PromptEnhancer } from '@pakati/core';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { createAnthropicEnhancer } from './anthropic-enhancer.ts';
import { createCachedEnhancer, createFallbackEnhancer } from './cached-enhancer.ts';
import { createOpenAiChatEnhancer } from './openai-chat-enhancer.ts';

export const PROMPT_ENHANCER_KINDS = ['none', 'rules', 'openai', 'anthropic'] as const;
export type PromptEnhancerKind = (typeof PROMPT_ENHANCER_KINDS)[number];

/** `FOO=` in an env file means unset, not an empty key or an invalid URL. */
export const blankAsUnset = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
export const optionalString = z.preprocess(blankAsUnset, z.string().optional());
export const optionalUrl = z.preprocess(blankAsUnset, z.url().optional());

const schema = z.object({
  PAKATI_PROMPT_ENHANCER: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toLowerCase() || undefined : value),
    z.enum(PROMPT_ENHANCER_KINDS).default('rules'),
  ),
  PAKATI_PROMPT_ENHANCER_MODEL: optionalString,
  PAKATI_PROMPT_ENHANCER_TIMEOUT_MS: z.preprocess(
    blankAsUnset,
    z.coerce.number().int().positive().optional(),
  ),
  PAKATI_OPENAI_API_KEY: optionalString,
  PAKATI_OPENAI_BASE_URL: optionalUrl,
  PAKATI_ANTHROPIC_API_KEY: optionalString,
  PAKATI_ANTHROPIC_BASE_URL: optionalUrl,
});

const REQUIRED_KEY: Partial<
  Record<PromptEnhancerKind, 'PAKATI_OPENAI_API_KEY' | 'PAKATI_ANTHROPIC_API_KEY'>
> = {
  openai: 'PAKATI_OPENAI_API_KEY',
  anthropic: 'PAKATI_ANTHROPIC_API_KEY',
};

/**
 * The prompt enhancer the environment asks for, or null for PAKATI_PROMPT_ENHANCER=none. A language-model
 * enhancer falls back to the rules when its provider fails, and its answers are cached in memory and, given
 * one, in Redis; the rules are cheap to recompute, so they are only cached in memory.
 */
export function createPromptEnhancer(env: NodeJS.ProcessEnv, redis?: Redis): PromptEnhancer | null {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid prompt enhancer configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const values = parsed.data;
  const kind = values.PAKATI_PROMPT_ENHANCER;
  const keyName = REQUIRED_KEY[kind];
  const apiKey = keyName ? values[keyName] : undefined;
  if (keyName && !apiKey) {
    throw new Error(`PAKATI_PROMPT_ENHANCER=${kind} needs ${keyName}; set it, or choose 'rules' or 'none'`);
  }

  const rules = createRuleBasedEnhancer();
  const common = {
    apiKey: apiKey!,
    ...(values.PAKATI_PROMPT_ENHANCER_MODEL ? { model: values.PAKATI_PROMPT_ENHANCER_MODEL } : {}),
    ...(values.PAKATI_PROMPT_ENHANCER_TIMEOUT_MS
      ? { timeoutMs: values.PAKATI_PROMPT_ENHANCER_TIMEOUT_MS }
      : {}),
  };
  switch (kind) {
    case 'none':
      return null;
    case 'rules':
      return createCachedEnhancer(rules);
    case 'openai': {
      const remote = createOpenAiChatEnhancer({
        ...common,
        ...(values.PAKATI_OPENAI_BASE_URL ? { baseUrl: values.PAKATI_OPENAI_BASE_URL } : {}),
      });
      return createCachedEnhancer(createFallbackEnhancer(remote, rules), redis ? { redis } : {});
    }
    case 'anthropic': {
      const remote = createAnthropicEnhancer({
        ...common,
        ...(values.PAKATI_ANTHROPIC_BASE_URL ? { baseUrl: values.PAKATI_ANTHROPIC_BASE_URL } : {}),
      });
      return createCachedEnhancer(createFallbackEnhancer(remote, rules), redis ? { redis } : {});
    }
  }
}
