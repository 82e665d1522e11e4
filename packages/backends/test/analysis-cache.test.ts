import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AnalysisCache, chooseAnalysisKernel, type ReferenceAnalysis } from '../src/index.ts';

function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: the analysis cache tests need a real Redis');
  return url;
}

const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

const result = (score: number): ReferenceAnalysis => ({
  kernel: 'sharp',
  regions: [
    {
      regionId: 'r1',
      report: {
        brightness_delta: 0.1,
        contrast_delta: 0,
        saturation_delta: 0,
        warmth_delta: 0,
        sharpness_delta: 0,
        color_distance: 0.2,
        palette_distance: 0.2,
        structure_distance: 0.5,
        texture_distance: 0.3,
        composition_distance: 0.1,
      },
      score,
      attributeDelta: 0.1,
      hashDistance: 30,
      references: [],
    },
  ],
});

const parts = {
  imageHash: 'a'.repeat(64),
  kernel: 'sharp',
  references: [{ hash: '0123456789abcdef', weight: 1, regionId: 'r1' }],
  regions: [
    {
      id: 'r1',
      points: [
        { x: 0, y: 0 },
        { x: 8, y: 0 },
        { x: 8, y: 8 },
      ],
    },
  ],
};

describe('analysis cache', () => {
  it('keys on every input that changes the numbers', () => {
    const key = AnalysisCache.key(parts);
    expect(AnalysisCache.key({ ...parts })).toBe(key);
    expect(AnalysisCache.key({ ...parts, imageHash: 'b'.repeat(64) })).not.toBe(key);
    expect(AnalysisCache.key({ ...parts, kernel: 'js' })).not.toBe(key);
    expect(AnalysisCache.key({ ...parts, references: [{ ...parts.references[0]!, weight: 0.5 }] })).not.toBe(
      key,
    );
    expect(
      AnalysisCache.key({
        ...parts,
        regions: [
          {
            id: 'r1',
            points: [
              { x: 0, y: 0 },
              { x: 9, y: 0 },
              { x: 8, y: 8 },
            ],
          },
        ],
      }),
    ).not.toBe(key);
  });

  it('serves from memory first, then from Redis for another worker process', async () => {
    const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
    clients.push(redis);
    const prefix = `test-${randomUUID()}`;
    const key = AnalysisCache.key(parts);
    const one = new AnalysisCache(redis, prefix);
    expect(await one.get(key)).toBeNull();
    await one.set(key, result(0.7));
    expect(await one.get(key)).toEqual({ value: result(0.7), tier: 'memory' });
    // A second worker has an empty memory tier but shares Redis.
    const two = new AnalysisCache(redis, prefix);
    expect(await two.get(key)).toEqual({ value: result(0.7), tier: 'redis' });
    expect(await two.get(key)).toEqual({ value: result(0.7), tier: 'memory' });
    expect(await redis.ttl(`${prefix}:analysis:${key}`)).toBeGreaterThan(0);
  });

  it('degrades to a miss, never a failure, when Redis is down', async () => {
    const dead = new Redis({
      host: '127.0.0.1',
      port: 1,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    dead.on('error', () => {}); // the refused connection is the point of this test
    const cache = new AnalysisCache(dead, 'down');
    const key = AnalysisCache.key(parts);
    await expect(cache.set(key, result(0.5))).resolves.toBeUndefined();
    expect(await cache.get(key)).toEqual({ value: result(0.5), tier: 'memory' });
    expect(await new AnalysisCache(dead, 'down').get(key)).toBeNull();
    dead.disconnect();
  });
});

describe('analysis kernel choice', () => {
  it('takes libvips on a worker without native TensorFlow, and honours an explicit choice', async () => {
    const auto = await chooseAnalysisKernel('auto');
    // This machine cannot install tfjs-node: the tested path is libvips.
    expect(auto.name).toBe('sharp');
    expect(auto.reason).toMatch(/no native TensorFlow/);
    expect((await chooseAnalysisKernel('js')).name).toBe('js');
    const tfjs = await chooseAnalysisKernel('tfjs');
    expect(tfjs.name).toBe('tfjs-wasm');
    await expect(chooseAnalysisKernel('gpu-please')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
