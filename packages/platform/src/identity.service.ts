import { PakatiError } from '@pakati/core';
import {
  ApiKeySchema,
  ORGANIZATION_TIERS,
  type Organization,
  OrganizationSchema,
  type OrganizationTier,
  type Orm,
} from '@pakati/db';
import { apiKeyMatches, generateApiKey, parseApiKey } from './api-key-codec.ts';

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
  ): Promise<{ key: string; prefix: string; id: string }> {
    const em = this.orm.em.fork();
    const org = await em.findOne(OrganizationSchema, { id: organizationId });
    if (!org) throw new PakatiError('NOT_FOUND', 'organization not found');
    const generated = generateApiKey();
    const row = em.create(ApiKeySchema, {
      organization: org,
      name,
      prefix: generated.prefix,
      secretHash: generated.secretHash,
    });
    await em.flush();
    return { key: generated.key, prefix: generated.prefix, id: row.id };
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
    return { organizationId: row.organization.id, organizationName: row.organization.name, apiKeyId: row.id };
  }
}

export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
