import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { ReferenceAnalysis } from './reference-analysis.ts';

/** Bumped whenever the analysis's numbers change meaning, so stale cached results are never read. */
export const ANALYSIS_VERSION = 1;

export interface AnalysisCacheKeyParts {
  imageHash: string;
  references: readonly { hash: string; weight: number; regionId: string | null }[];
  regions: readonly { id: string; points: readonly { x: number; y: number }[] }[];
  kernel: string;
}

/**
 * Two tiers: an in-process LRU in front of Redis (shared by every worker, with a TTL). Results are small JSON
 * documents (deltas and scores per region), so both tiers hold whole results. Redis errors degrade to a miss: the
 * analysis can always be recomputed.
 */
export class AnalysisCache {
  private readonly memory: LRUCache<string, ReferenceAnalysis>;

  constructor(
    private readonly redis: Redis | null,
    private readonly prefix: string,
    private readonly options: { entries?: number; ttlSeconds?: number } = {},
  ) {
    this.memory = new LRUCache({ max: options.entries ?? 256 });
  }

  static key(parts: AnalysisCacheKeyParts): string {
    return createHash('sha256')
      .update(JSON.stringify({ v: ANALYSIS_VERSION, ...parts }))
      .digest('hex');
  }

  async get(key: string): Promise<{ value: ReferenceAnalysis; tier: 'memory' | 'redis' } | null> {
    const local = this.memory.get(key);
    if (local) return { value: local, tier: 'memory' };
    if (!this.redis) return null;
    try {
      const raw = await this.redis.get(`${this.prefix}:analysis:${key}`);
      if (!raw) return null;
      const value = JSON.parse(raw) as ReferenceAnalysis;
      this.memory.set(key, value);
      return { value, tier: 'redis' };
    } catch {
      return null;
    }
  }

  async set(key: string, value: ReferenceAnalysis): Promise<void> {
    this.memory.set(key, value);
    if (!this.redis) return;
    try {
      await this.redis.set(
        `${this.prefix}:analysis:${key}`,
        JSON.stringify(value),
        'EX',
        this.options.ttlSeconds ?? 86_400,
      );
    } catch {
      // A lost write only costs a recomputation.
    }
  }
}
