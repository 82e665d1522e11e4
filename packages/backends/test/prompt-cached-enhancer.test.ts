import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { BackendError, createRuleBasedEnhancer, type PromptEnhancer } from '@pakati/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createCachedEnhancer,
  createFallbackEnhancer,
  DEFAULT_ENHANCEMENT_TTL_SECONDS,
  promptEnhancementKey,
} from '../src/prompt/cached-enhancer.ts';
import { createOpenAiChatEnhancer } from '../src/prompt/openai-chat-enhancer.ts';
import { openAiChatError, openAiChatFakeRewrite, startOpenAiChatFake } from './fakes/openai-chat-fake.ts';

type Fake = Awaited<ReturnType<typeof startOpenAiChatFake>>;
let fake: Fake;

beforeAll(async () => {
  fake = await startOpenAiChatFake();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const ctx = (negativePrompt?: string | null, signal = new AbortController().signal) => ({
  signal,
  negativePrompt,
});

function remote(extra: Partial<Parameters<typeof createOpenAiChatEnhancer>[0]> = {}) {
  return createOpenAiChatEnhancer({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, ...extra });
}

/** The Redis the test command provides; its absence is a failure, never a silent skip. */
function requireRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) {
    throw new Error(
      'REDIS_URL is not set: the prompt cache tests need a real Redis (e.g. REDIS_URL=redis://127.0.0.1:6379)',
    );
  }
  return url;
}

async function deleteKeys(redis: Redis, prefix: string) {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
}

async function listenOnFreePort(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('cached enhancer in memory', () => {
  it('serves a repeated prompt from memory', async () => {
    const cached = createCachedEnhancer(remote());
    const first = await cached.enhance('a lighthouse', ctx());
    const second = await cached.enhance('a lighthouse', ctx());
    expect(first.enhanced).toBe(openAiChatFakeRewrite('a lighthouse'));
    expect(second).toEqual(first);
    expect(fake.requests).toHaveLength(1);
    expect(cached.name).toBe('openai-chat');
  });

  it('keys on the negative prompt, treating blank as none', async () => {
    const cached = createCachedEnhancer(remote());
    await cached.enhance('a lighthouse', ctx());
    await cached.enhance('a lighthouse', ctx('  '));
    await cached.enhance('a lighthouse', ctx(null));
    expect(fake.requests).toHaveLength(1);
    await cached.enhance('a lighthouse', ctx('boats'));
    expect(fake.requests).toHaveLength(2);
  });

  it('keys on the enhancer and its model', () => {
    const key = promptEnhancementKey('openai-chat', 'gpt-4o-mini', 'a cat', null);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(promptEnhancementKey('openai-chat', 'gpt-4o-mini', 'a cat', '')).toBe(key);
    expect(promptEnhancementKey('openai-chat', 'gpt-4o', 'a cat', null)).not.toBe(key);
    expect(promptEnhancementKey('anthropic', 'gpt-4o-mini', 'a cat', null)).not.toBe(key);
    expect(promptEnhancementKey('openai-chat', 'gpt-4o-mini', 'a cat', 'dogs')).not.toBe(key);
  });

  it('evicts the least recently used entry beyond memoryEntries', async () => {
    const cached = createCachedEnhancer(remote(), { memoryEntries: 2 });
    await cached.enhance('a', ctx());
    await cached.enhance('b', ctx());
    await cached.enhance('a', ctx()); // a is now the most recent
    await cached.enhance('c', ctx()); // evicts b
    expect(fake.requests).toHaveLength(3);
    await cached.enhance('a', ctx());
    expect(fake.requests).toHaveLength(3);
    await cached.enhance('b', ctx());
    expect(fake.requests).toHaveLength(4);
  });

  it('does not cache failures', async () => {
    const cached = createCachedEnhancer(remote());
    fake.script(openAiChatError(500, 'boom', 'server_error', null));
    await expect(cached.enhance('a lighthouse', ctx())).rejects.toBeInstanceOf(BackendError);
    expect((await cached.enhance('a lighthouse', ctx())).enhancer).toBe('openai-chat');
    expect(fake.requests).toHaveLength(2);
  });
});

describe('cached enhancer with Redis', () => {
  it('serves another process (a new cached enhancer) from Redis, with the TTL set', async () => {
    const redis = new Redis(requireRedisUrl(), { maxRetriesPerRequest: 1 });
    const prefix = `pakati-test:prompt:${randomUUID()}:`;
    try {
      const first = await createCachedEnhancer(remote(), { redis, prefix }).enhance(
        'a lighthouse',
        ctx('boats'),
      );
      expect(fake.requests).toHaveLength(1);
      const keys = await redis.keys(`${prefix}*`);
      expect(keys).toEqual([
        prefix + promptEnhancementKey('openai-chat', 'gpt-4o-mini', 'a lighthouse', 'boats'),
      ]);
      const ttl = await redis.ttl(keys[0]!);
      expect(ttl).toBeGreaterThan(DEFAULT_ENHANCEMENT_TTL_SECONDS - 60);
      expect(ttl).toBeLessThanOrEqual(DEFAULT_ENHANCEMENT_TTL_SECONDS);

      const second = await createCachedEnhancer(remote(), { redis, prefix }).enhance(
        'a lighthouse',
        ctx('boats'),
      );
      expect(second).toEqual(first);
      expect(fake.requests).toHaveLength(1);

      // A value that is not a stored enhancement is a miss, not a crash.
      await redis.set(keys[0]!, 'not json', 'EX', 60);
      const third = await createCachedEnhancer(remote(), { redis, prefix }).enhance(
        'a lighthouse',
        ctx('boats'),
      );
      expect(third.enhanced).toBe(first.enhanced);
      expect(fake.requests).toHaveLength(2);
    } finally {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });

  it('honours ttlSeconds', async () => {
    const redis = new Redis(requireRedisUrl(), { maxRetriesPerRequest: 1 });
    const prefix = `pakati-test:prompt:${randomUUID()}:`;
    try {
      await createCachedEnhancer(remote(), { redis, prefix, ttlSeconds: 90 }).enhance('a lighthouse', ctx());
      const [key] = await redis.keys(`${prefix}*`);
      const ttl = await redis.ttl(key!);
      expect(ttl).toBeGreaterThan(80);
      expect(ttl).toBeLessThanOrEqual(90);
    } finally {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });

  it('still enhances when Redis is down', async () => {
    const probe = createServer();
    const port = await listenOnFreePort(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const redis = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    redis.on('error', () => {});
    try {
      const cached = createCachedEnhancer(remote(), { redis });
      const first = await cached.enhance('a lighthouse', ctx());
      expect(first.enhanced).toBe(openAiChatFakeRewrite('a lighthouse'));
      expect(await cached.enhance('a lighthouse', ctx())).toEqual(first);
      expect(fake.requests).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });

  it('stops waiting for a Redis that accepts connections but never answers', async () => {
    const sockets: Socket[] = [];
    const blackhole = createServer((socket) => sockets.push(socket));
    const port = await listenOnFreePort(blackhole);
    const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, connectTimeout: 10_000 });
    redis.on('error', () => {});
    try {
      const started = performance.now();
      const result = await createCachedEnhancer(remote(), { redis, redisTimeoutMs: 100 }).enhance(
        'a lighthouse',
        ctx(),
      );
      expect(result.enhancer).toBe('openai-chat');
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      redis.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => blackhole.close(() => resolve()));
    }
  });
});

describe('fallback enhancer', () => {
  const rules = createRuleBasedEnhancer();

  it('answers with the primary while it works', async () => {
    const result = await createFallbackEnhancer(remote(), rules).enhance('a lighthouse', ctx());
    expect(result.enhancer).toBe('openai-chat');
    expect(result.model).toBe('gpt-4o-mini-2024-07-18');
  });

  it.each([
    ['a 500', openAiChatError(500, 'boom', 'server_error', null)],
    ['a 429', openAiChatError(429, 'slow down', 'requests', 'rate_limit_exceeded', { 'retry-after': '30' })],
    ['an empty answer', { status: 200, body: { choices: [{ message: { content: '' } }] } }],
  ])('uses the rules after %s, and says so', async (_label, answer) => {
    fake.script(answer);
    const errors: unknown[] = [];
    const enhancer = createFallbackEnhancer(remote(), rules, { onFallback: (e) => errors.push(e) });
    const result = await enhancer.enhance('snowy mountains above a lake', ctx());
    const expected = await rules.enhance('snowy mountains above a lake', ctx());
    expect(result).toEqual(expected);
    expect(result.enhancer).toBe('rules');
    expect(result.model).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BackendError);
  });

  it('uses the rules after a timeout and a bad key', async () => {
    fake.script({ delayMs: 3000 });
    const slow = await createFallbackEnhancer(remote({ timeoutMs: 100 }), rules).enhance(
      'a lighthouse',
      ctx(),
    );
    expect(slow.enhancer).toBe('rules');
    const badKey = await createFallbackEnhancer(remote({ apiKey: 'sk-wrong' }), rules).enhance(
      'a lighthouse',
      ctx(),
    );
    expect(badKey.enhancer).toBe('rules');
  });

  it('does not fall back when the caller cancels', async () => {
    fake.script({ delayMs: 3000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await createFallbackEnhancer(remote(), rules)
      .enhance('a lighthouse', ctx(null, controller.signal))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).kind).toBe('CANCELLED');
  });

  it('does not let the cache keep a stand-in answer', async () => {
    const cached = createCachedEnhancer(createFallbackEnhancer(remote(), rules));
    fake.script(openAiChatError(503, 'down', 'server_error', null));
    expect((await cached.enhance('a lighthouse', ctx())).enhancer).toBe('rules');
    expect((await cached.enhance('a lighthouse', ctx())).enhancer).toBe('openai-chat');
    expect((await cached.enhance('a lighthouse', ctx())).enhancer).toBe('openai-chat');
    expect(fake.requests).toHaveLength(2);
  });

  it('falls back on errors that are not BackendErrors too', async () => {
    const broken: PromptEnhancer = {
      name: 'broken',
      enhance: () => Promise.reject(new TypeError('bug')),
    };
    expect((await createFallbackEnhancer(broken, rules).enhance('a teapot', ctx())).enhancer).toBe('rules');
  });
});
