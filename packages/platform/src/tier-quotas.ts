import { ORGANIZATION_TIERS, type OrganizationTier } from '@pakati/db';
import { z } from 'zod';

export interface TierQuota {
  /** Per API key, over a sliding minute. */
  requestsPerMinute: number;
  /** Runs of the organization not yet finished. */
  concurrentRuns: number;
  /** Reference images kept by the organization. */
  storedBytes: number;
  maxCanvasWidth: number;
  maxCanvasHeight: number;
}

const GIB = 1024 ** 3;

export const DEFAULT_TIER_QUOTAS: Record<OrganizationTier, TierQuota> = {
  STARTER: {
    requestsPerMinute: 300,
    concurrentRuns: 3,
    storedBytes: 1 * GIB,
    maxCanvasWidth: 2048,
    maxCanvasHeight: 2048,
  },
  PROFESSIONAL: {
    requestsPerMinute: 1200,
    concurrentRuns: 20,
    storedBytes: 25 * GIB,
    maxCanvasWidth: 4096,
    maxCanvasHeight: 4096,
  },
  ENTERPRISE: {
    requestsPerMinute: 6000,
    concurrentRuns: 200,
    storedBytes: 500 * GIB,
    maxCanvasWidth: 4096,
    maxCanvasHeight: 4096,
  },
};

const quota = z
  .object({
    requestsPerMinute: z.number().int().positive(),
    concurrentRuns: z.number().int().positive(),
    storedBytes: z.number().int().positive(),
    maxCanvasWidth: z.number().int().positive(),
    maxCanvasHeight: z.number().int().positive(),
  })
  .strict()
  .partial();

const overrides = z.partialRecord(z.enum(ORGANIZATION_TIERS), quota);

/** The defaults with the operator's overrides laid over them; throws with the offending path. */
export function parseTierQuotas(text: string | undefined): Record<OrganizationTier, TierQuota> {
  if (!text) return DEFAULT_TIER_QUOTAS;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('must be JSON, e.g. {"STARTER":{"requestsPerMinute":600}}');
  }
  const parsed = overrides.safeParse(json);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const merged = { ...DEFAULT_TIER_QUOTAS };
  for (const tier of ORGANIZATION_TIERS) merged[tier] = { ...merged[tier], ...parsed.data[tier] };
  return merged;
}
