import { createHash } from 'node:crypto';
import {
  BackendError,
  isBackendError,
  type PromptEnhancement,
  type PromptEnhancer,
  type PromptEnhancerContext,
} from '@pakati/core';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export interface CachedEnhancerOptions {
  /** Shared across processes and restarts; without it, only this process's memory caches. */
  redis?: Redis;
  prefix?: string;
  ttlSeconds?: number;
  memoryEntries?: number;
  /** How long a Redis command may take before we stop waiting and treat it as a miss. */
  redisTimeoutMs?: number;
}

export const DEFAULT_ENHANCEMENT_PREFIX = 'pakati:prompt-enhancement:';
export const DEFAULT_ENHANCEMENT_TTL_SECONDS = 7 * 24 * 3600;

const storedEnhancement = z.object({
  original: z.string(),
  enhanced: z.string(),
  enhancer: z.string(),
  model: z.string().nullable(),
});

function normalisedNegative(negativePrompt: string | null | undefined): string | null {
  return negativePrompt?.trim() ? negativePrompt : null;
}

/** The cache key: the same prompt rewritten by another enhancer or model is another entry. */
export function promptEnhancementKey(
  enhancer: string,
  model: string | null | undefined,
  prompt: string,
  negativePrompt: string | null | undefined,
): string {
  return createHash('sha256')
    .update(JSON.stringify([enhancer, model ?? null, prompt, normalisedNegative(negativePrompt)]))
    .digest('hex');
}

/**
 * Settles with the command's result, or undefined when it fails or outlasts the timeout: a Redis that is down
 * or hung costs at most that long, never an enhancement.
 */
async function bounded<T>(command: () => Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    // A command can also throw before it returns a promise (ioredis does, for a closed connection).
    return await Promise.race([
      Promise.resolve()
        .then(command)
        .catch(() => undefined),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Remembers enhancements: an in-process LRU first, then Redis, else the inner enhancer, whose answer goes into
 * both. Only the inner enhancer's own answers are kept: when a fallback stood in for it, the next request asks
 * it again rather than serving the stand-in's answer for a week.
 */
export function createCachedEnhancer(
  inner: PromptEnhancer,
  options: CachedEnhancerOptions = {},
): PromptEnhancer {
  const {
    redis,
    prefix = DEFAULT_ENHANCEMENT_PREFIX,
    ttlSeconds = DEFAULT_ENHANCEMENT_TTL_SECONDS,
    memoryEntries = 1000,
    redisTimeoutMs = 300,
  } = options;
  // A Map iterates in insertion order; re-inserting on every hit makes its first key the least recently used.
  const memory = new Map<string, PromptEnhancement>();

  function remember(key: string, value: PromptEnhancement) {
    if (memoryEntries <= 0) return;
    memory.delete(key);
    memory.set(key, value);
    while (memory.size > memoryEntries) memory.delete(memory.keys().next().value!);
  }

  async function fromRedis(key: string, prompt: string): Promise<PromptEnhancement | undefined> {
    if (!redis) return undefined;
    const raw = await bounded(() => redis.get(prefix + key), redisTimeoutMs);
    if (!raw) return undefined;
    let parsed: ReturnType<typeof storedEnhancement.safeParse>;
    try {
      parsed = storedEnhancement.safeParse(JSON.parse(raw));
    } catch {
      return undefined;
    }
    // A value that is not ours, or for another prompt, is a miss rather than a wrong answer.
    return parsed.success && parsed.data.original === prompt ? parsed.data : undefined;
  }

  return {
    name: inner.name,
    model: inner.model ?? null,
    async enhance(prompt: string, ctx: PromptEnhancerContext) {
      if (ctx.signal.aborted) throw new BackendError('CANCELLED', inner.name, 'cancelled');
      const key = promptEnhancementKey(inner.name, inner.model, prompt, ctx.negativePrompt);
      const cached = memory.get(key);
      if (cached) {
        remember(key, cached);
        return { ...cached };
      }
      const stored = await fromRedis(key, prompt);
      if (stored) {
        remember(key, stored);
        return { ...stored };
      }
      const result = await inner.enhance(prompt, ctx);
      if (result.enhancer !== inner.name) return result;
      remember(key, { ...result });
      if (redis) {
        await bounded(
          () => redis.set(prefix + key, JSON.stringify(result), 'EX', ttlSeconds),
          redisTimeoutMs,
        );
      }
      return result;
    },
  };
}

export interface FallbackEnhancerOptions {
  /** Told why the primary could not answer, for logs and metrics; the caller still gets an enhancement. */
  onFallback?: (error: unknown) => void;
}

/**
 * Asks `primary`, and `fallback` (the offline rule-based enhancer, typically) when it fails for any reason but
 * the caller's cancellation. The result's `enhancer` and `model` say which of the two answered.
 */
export function createFallbackEnhancer(
  primary: PromptEnhancer,
  fallback: PromptEnhancer,
  options: FallbackEnhancerOptions = {},
): PromptEnhancer {
  return {
    name: primary.name,
    model: primary.model ?? null,
    async enhance(prompt, ctx) {
      try {
        return await primary.enhance(prompt, ctx);
      } catch (error) {
        if (ctx.signal.aborted || (isBackendError(error) && error.kind === 'CANCELLED')) throw error;
        options.onFallback?.(error);
        return fallback.enhance(prompt, ctx);
      }
    },
  };
}
