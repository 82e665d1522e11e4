import type { EntityManager } from '@mikro-orm/core';
import { PakatiError } from '@pakati/core';
import { OrganizationSchema, type OrganizationTier, type Orm, TERMINAL_RUN_STATUSES } from '@pakati/db';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { TierQuota } from './tier-quotas.ts';

/** A started run usually finishes within this; it is the retry hint when all run slots are taken. */
const RUN_SLOT_RETRY_SECONDS = 15;

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The tier quotas: requests per minute per key and failed sign-ins per address (both counted in Redis, so all
 * API replicas share them), concurrent runs, stored bytes and canvas size. Each refusal is a typed error; the
 * time-bound ones carry `retryAfter` in seconds.
 */
export class QuotaService {
  private readonly requestLimiters: Record<OrganizationTier, RateLimiterRedis>;
  private readonly authFailures: RateLimiterRedis;

  constructor(
    private readonly orm: Orm,
    redis: Redis,
    keyPrefix: string,
    private readonly quotas: Readonly<Record<OrganizationTier, TierQuota>>,
    authFailuresPerMinute: number,
  ) {
    const limiter = (name: string, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        useRedisPackage: false,
        keyPrefix: `${keyPrefix}:rate:${name}`,
        points,
        duration: 60,
      });
    this.requestLimiters = {
      STARTER: limiter('starter', quotas.STARTER.requestsPerMinute),
      PROFESSIONAL: limiter('professional', quotas.PROFESSIONAL.requestsPerMinute),
      ENTERPRISE: limiter('enterprise', quotas.ENTERPRISE.requestsPerMinute),
    };
    this.authFailures = limiter('auth-failures', authFailuresPerMinute);
  }

  quotaOf(tier: OrganizationTier): TierQuota {
    return this.quotas[tier];
  }

  /** Counts one request against the key's minute; throws RATE_LIMITED when it is used up. */
  async consumeRequest(apiKeyId: string, tier: OrganizationTier): Promise<RateLimitState> {
    const limit = this.quotas[tier].requestsPerMinute;
    try {
      const res = await this.requestLimiters[tier].consume(apiKeyId);
      return { limit, remaining: res.remainingPoints, resetSeconds: seconds(res.msBeforeNext) };
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new PakatiError('RATE_LIMITED', `more than ${limit} requests in a minute for this key`, {
        quota: 'requestsPerMinute',
        limit,
        retryAfter: seconds(error.msBeforeNext),
      });
    }
  }

  /** Refuses an address that failed to sign in too often this minute, before its key is even looked at. */
  async assertSignInAllowed(address: string): Promise<void> {
    const res = await this.authFailures.get(address);
    if (res && res.remainingPoints <= 0) {
      throw new PakatiError('RATE_LIMITED', 'too many failed sign-ins from this address', {
        quota: 'authFailuresPerMinute',
        retryAfter: seconds(res.msBeforeNext),
      });
    }
  }

  async recordSignInFailure(address: string): Promise<void> {
    await this.authFailures.penalty(address, 1);
  }

  assertCanvas(tier: OrganizationTier, width: number, height: number): void {
    const q = this.quotas[tier];
    if (width > q.maxCanvasWidth || height > q.maxCanvasHeight) {
      throw new PakatiError(
        'QUOTA_EXCEEDED',
        `the ${tier} tier allows canvases up to ${q.maxCanvasWidth}x${q.maxCanvasHeight}`,
        { quota: 'maxCanvasSize', limit: `${q.maxCanvasWidth}x${q.maxCanvasHeight}`, field: 'width' },
      );
    }
  }

  /**
   * Inside the transaction that inserts `count` runs: serialises the organization's starts (advisory lock) so two
   * replicas cannot both take the last slot.
   */
  async reserveRunSlots(tx: EntityManager, organizationId: string, count: number): Promise<void> {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    await conn.execute('select pg_advisory_xact_lock(hashtext(?))', [`runs:${organizationId}`], 'all', ctx);
    const [row] = (await conn.execute(
      `select o.tier, (select count(*) from run r where r.organization_id = o.id and r.status not in (${TERMINAL_RUN_STATUSES.map(() => '?').join(', ')})) as active
         from organization o where o.id = ?`,
      [...TERMINAL_RUN_STATUSES, organizationId],
      'all',
      ctx,
    )) as { tier: OrganizationTier; active: string }[];
    if (!row) throw new PakatiError('NOT_FOUND', 'organization not found');
    const limit = this.quotas[row.tier].concurrentRuns;
    const active = Number(row.active);
    if (active + count > limit) {
      throw new PakatiError(
        'QUOTA_EXCEEDED',
        `the ${row.tier} tier runs at most ${limit} runs at a time (${active} unfinished)`,
        { quota: 'concurrentRuns', limit, used: active, retryAfter: RUN_SLOT_RETRY_SECONDS },
      );
    }
  }

  /** Before storing `adding` more bytes of references for the organization. */
  async assertStorage(organizationId: string, adding: number): Promise<void> {
    const em = this.orm.em.fork();
    const org = await em.findOneOrFail(OrganizationSchema, organizationId, { fields: ['tier'] });
    const [row] = await em
      .getConnection()
      .execute<{ used: string | null }[]>(
        `select coalesce(sum(r.byte_size), 0) as used from reference r join project p on p.id = r.project_id where p.organization_id = ?`,
        [organizationId],
      );
    const used = Number(row?.used ?? 0);
    const limit = this.quotas[org.tier as OrganizationTier].storedBytes;
    if (used + adding > limit) {
      throw new PakatiError(
        'QUOTA_EXCEEDED',
        `the ${org.tier} tier stores at most ${limit} bytes of references`,
        {
          quota: 'storedBytes',
          limit,
          used,
        },
      );
    }
  }
}
