import { PakatiError } from '@pakati/core';
import {
  type ApiKey,
  ApiKeySchema,
  ORGANIZATION_TIERS,
  type Organization,
  OrganizationSchema,
  type OrganizationTier,
  type Orm,
} from '@pakati/db';
import { apiKeyMatches, generateApiKey, parseApiKey } from './api-key-codec.ts';
import { keysetQuery, type PageQuery } from './keyset-page.ts';
import { isUuid } from './project.service.ts';

const MAX_KEY_NAME = 100;

/** Writing lastUsedAt on every request would add a write to every read; a minute is precise enough. */
const LAST_USED_PRECISION_MS = 60_000;

export interface Principal {
  organizationId: string;
  organizationName: string;
  apiKeyId: string;
}

export class IdentityService {
  constructor(private readonly orm: Orm) {}

  /** The tier sets the organization's defaults (run priority now; quotas with issue 7). */
  async setTier(organizationId: string, tier: string): Promise<Organization> {
    if (!(ORGANIZATION_TIERS as readonly string[]).includes(tier)) {
      throw new PakatiError('BAD_USER_INPUT', `tier must be one of ${ORGANIZATION_TIERS.join(', ')}`, {
        field: 'tier',
      });
    }
    const em = this.orm.em.fork();
    const org = await em.findOneOrFail(OrganizationSchema, { id: organizationId });
    org.tier = tier as OrganizationTier;
    await em.flush();
    return org;
  }

  async createOrganization(name: string): Promise<Organization> {
    const em = this.orm.em.fork();
    const trimmed = name.trim();
    if (!/^[\w .-]{1,100}$/.test(trimmed)) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        'organization names are 1-100 letters, digits, spaces, dots, dashes',
      );
    }
    const org = em.create(OrganizationSchema, { name: trimmed });
    await em.flush();
    return org;
  }

  async findOrganization(name: string): Promise<Organization | null> {
    return this.orm.em.fork().findOne(OrganizationSchema, { name });
  }

  /** Returns the plain key exactly once; only its hash is stored. */
  async createApiKey(
    organizationId: string,
    name: string,
  ): Promise<{ key: string; prefix: string; id: string; apiKey: ApiKey }> {
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > MAX_KEY_NAME) {
      throw new PakatiError('BAD_USER_INPUT', `API key names are 1-${MAX_KEY_NAME} characters`, {
        field: 'name',
      });
    }
    const em = this.orm.em.fork();
    const org = await em.findOne(OrganizationSchema, { id: organizationId });
    if (!org) throw new PakatiError('NOT_FOUND', 'organization not found');
    const generated = generateApiKey();
    const row = em.create(ApiKeySchema, {
      organization: org,
      name: trimmed,
      prefix: generated.prefix,
      secretHash: generated.secretHash,
    });
    await em.flush();
    return { key: generated.key, prefix: generated.prefix, id: row.id, apiKey: row };
  }

  /** Revoked keys stay listed (with revokedAt) so people can tell which key stopped working. */
  async listApiKeys(organizationId: string, page: PageQuery): Promise<ApiKey[]> {
    const { where, options } = keysetQuery(page);
    return (
      this.orm.em
        .fork()
        // biome-ignore lint/suspicious/noExplicitAny: MikroORM's FilterQuery cannot type a composed keyset condition
        .find(ApiKeySchema, { organization: organizationId, ...where } as any, options)
    );
  }

  async findApiKey(organizationId: string, id: string): Promise<ApiKey | null> {
    if (!isUuid(id)) return null;
    return this.orm.em.fork().findOne(ApiKeySchema, { id, organization: organizationId });
  }

  /**
   * Revokes one of the organization's keys; revoking an already revoked key changes nothing. The key
   * the caller is signed in with is refused unless `confirmSelf`, since revoking it signs them out.
   */
  async revokeOwnApiKey(
    principal: Principal,
    id: string,
    options: { confirmSelf?: boolean | null } = {},
  ): Promise<ApiKey> {
    const em = this.orm.em.fork();
    const row = isUuid(id)
      ? await em.findOne(ApiKeySchema, { id, organization: principal.organizationId })
      : null;
    if (!row) throw new PakatiError('NOT_FOUND', 'API key not found');
    if (row.revokedAt) return row;
    if (row.id === principal.apiKeyId && !options.confirmSelf) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        'this is the key of the current session: revoking it signs you out; pass confirmSelf: true',
        { reason: 'REVOKING_OWN_KEY', field: 'confirmSelf' },
      );
    }
    row.revokedAt = new Date();
    await em.flush();
    return row;
  }

  async revokeApiKey(prefix: string): Promise<boolean> {
    const em = this.orm.em.fork();
    const row = await em.findOne(ApiKeySchema, { prefix, revokedAt: null });
    if (!row) return false;
    row.revokedAt = new Date();
    await em.flush();
    return true;
  }

  /** Null for a malformed, unknown or revoked key: callers answer 401 without saying which. */
  async authenticate(key: string): Promise<Principal | null> {
    const parsed = parseApiKey(key);
    if (!parsed) return null;
    const em = this.orm.em.fork();
    const row = await em.findOne(ApiKeySchema, { prefix: parsed.prefix }, { populate: ['organization'] });
    if (!row || row.revokedAt || !apiKeyMatches(key, row.secretHash)) return null;
    const now = new Date();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
      await em.nativeUpdate(ApiKeySchema, { id: row.id }, { lastUsedAt: now });
    }
    return { organizationId: row.organization.id, organizationName: row.organization.name, apiKeyId: row.id };
  }
}

export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
