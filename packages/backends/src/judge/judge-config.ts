import { z } from 'zod';
import { blankAsUnset, optionalString, optionalUrl } from '../prompt/enhancer-config.ts';
import { createAnthropicVisionJudge } from './anthropic-vision-judge.ts';
import { createOpenAiVisionJudge } from './openai-vision-judge.ts';
import type { VisionJudge } from './vision-judge.ts';

export const VISION_JUDGE_KINDS = ['none', 'openai', 'anthropic'] as const;
export type VisionJudgeKind = (typeof VISION_JUDGE_KINDS)[number];

const schema = z.object({
  PAKATI_VISION_JUDGE: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toLowerCase() || undefined : value),
    z.enum(VISION_JUDGE_KINDS).default('none'),
  ),
  PAKATI_VISION_JUDGE_MODEL: optionalString,
  PAKATI_VISION_JUDGE_TIMEOUT_MS: z.preprocess(blankAsUnset, z.coerce.number().int().positive().optional()),
  PAKATI_OPENAI_API_KEY: optionalString,
  PAKATI_OPENAI_BASE_URL: optionalUrl,
  PAKATI_ANTHROPIC_API_KEY: optionalString,
  PAKATI_ANTHROPIC_BASE_URL: optionalUrl,
});

const REQUIRED_KEY = {
  openai: 'PAKATI_OPENAI_API_KEY',
  anthropic: 'PAKATI_ANTHROPIC_API_KEY',
} as const;

/**
 * The vision judge the environment asks for, or null for PAKATI_VISION_JUDGE=none (the default: judging costs a
 * paid vision call per region). It shares the providers' keys and base URLs with the prompt enhancer.
 */
export function createVisionJudge(env: NodeJS.ProcessEnv): VisionJudge | null {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid vision judge configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const values = parsed.data;
  const kind = values.PAKATI_VISION_JUDGE;
  if (kind === 'none') return null;
  const keyName = REQUIRED_KEY[kind];
  const apiKey = values[keyName];
  if (!apiKey) throw new Error(`PAKATI_VISION_JUDGE=${kind} needs ${keyName}; set it, or choose 'none'`);

  const common = {
    apiKey,
    ...(values.PAKATI_VISION_JUDGE_MODEL ? { model: values.PAKATI_VISION_JUDGE_MODEL } : {}),
    ...(values.PAKATI_VISION_JUDGE_TIMEOUT_MS ? { timeoutMs: values.PAKATI_VISION_JUDGE_TIMEOUT_MS } : {}),
  };
  const baseUrl = kind === 'openai' ? values.PAKATI_OPENAI_BASE_URL : values.PAKATI_ANTHROPIC_BASE_URL;
  const options = { ...common, ...(baseUrl ? { baseUrl } : {}) };
  return kind === 'openai' ? createOpenAiVisionJudge(options) : createAnthropicVisionJudge(options);
}
