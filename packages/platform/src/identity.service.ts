import { PakatiError } from '@pakati/core';
import {
  API_KEY_SCOPES,
  type ApiKey,
  ApiKeySchema,
  type ApiKeyScope,
  type MemberRole,
  MemberSchema,
  ORGANIZATION_TIERS,
  type Organization,
  OrganizationSchema,
  type OrganizationTier,
  type Orm,
} from '@pakati/db';
import { apiKeyMatches, generateApiKey, parseApiKey } from './api-key-codec.ts';
import {
  effectivePermissions,
  type Permission,
  requirePermission,
  rolePermissions,
  scopesWithin,
} from './authorization.ts';
import type { CredentialEvents } from './credential-events.ts';
import { keysetQuery, type PageQuery } from './keyset-page.ts';
import { isUuid } from './project.service.ts';
import { looksLikeJwt, type SessionTokens } from './session-token.ts';

const MAX_KEY_NAME = 100;

/** Writing lastUsedAt on every request would add a write to every read; a minute is precise enough. */
const LAST_USED_PRECISION_MS = 60_000;

export interface Principal {
  organizationId: string;
  organizationName: string;
  tier: OrganizationTier;
  apiKeyId: string;
  apiKeyPrefix: string;
  memberId: string;
  role: MemberRole;
  permissions: ReadonlySet<Permission>;
  /** Set when the request came with a web session token rather than the key itself. */
  sessionExpiresAt: Date | null;
  /** When these credentials stop working: the key's expiry or the session's, whichever is first. */
  expiresAt: Date | null;
}

export interface ApiKeyOptions {
  /** Whose key it is; the organization's first owner when omitted (operator CLI, tests). */
  memberId?: string | null;
  scopes?: readonly string[] | null;
  expiresAt?: Date | null;
  /** Without explicit scopes a key gets all its member's role allows, narrowed to this. */
  cap?: ReadonlySet<Permission>;
}

export class IdentityService {
  constructor(
    private readonly orm: Orm,
    /** Absent in operator tools, which neither issue nor accept web sessions. */
    private readonly sessions?: SessionTokens,
    /** Absent in operator tools, which hold no sockets; their revocations reach sockets at the next reconnect. */
    private readonly credentialEvents?: CredentialEvents,
  ) {}

  /** The tier sets the organization's defaults and quotas. */
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

  /** An organization and its first OWNER, who holds the keys the operator creates. */
  async createOrganization(
    name: string,
    owner: { email?: string; name?: string } = {},
  ): Promise<Organization> {
    const em = this.orm.em.fork();
    const trimmed = name.trim();
    if (!/^[\w .-]{1,100}$/.test(trimmed)) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        'organization names are 1-100 letters, digits, spaces, dots, dashes',
      );
    }
    const org = em.create(OrganizationSchema, { name: trimmed });
    em.create(MemberSchema, {
      organization: org,
      email: owner.email ?? `owner@${trimmed.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}.invalid`,
      name: owner.name ?? 'Owner',
      role: 'OWNER',
    });
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
    options: ApiKeyOptions = {},
  ): Promise<{ key: string; prefix: string; id: string; apiKey: ApiKey }> {
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > MAX_KEY_NAME || /\p{Cc}/u.test(trimmed)) {
      throw new PakatiError('BAD_USER_INPUT', `API key names are 1-${MAX_KEY_NAME} printable characters`, {
        field: 'name',
      });
    }
    if (options.expiresAt && options.expiresAt.getTime() <= Date.now()) {
      throw new PakatiError('BAD_USER_INPUT', 'expiresAt must be in the future', { field: 'expiresAt' });
    }
    const em = this.orm.em.fork();
    const member = options.memberId
      ? isUuid(options.memberId)
        ? await em.findOne(MemberSchema, {
            id: options.memberId,
            organization: organizationId,
            removedAt: null,
          })
        : null
      : await em.findOne(
          MemberSchema,
          { organization: organizationId, role: 'OWNER', removedAt: null },
          { orderBy: { createdAt: 'asc' } },
        );
    if (!member) throw new PakatiError('NOT_FOUND', 'member not found');
    const scopes = options.scopes
      ? normalizeScopes(options.scopes)
      : widestScopes(rolePermissions(member.role), options.cap);
    if (!scopesWithin(scopes, rolePermissions(member.role))) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        `a ${member.role} cannot hold a key with scopes ${scopes.join(', ')}`,
        {
          field: 'scopes',
          reason: 'SCOPES_EXCEED_ROLE',
        },
      );
    }
    const generated = generateApiKey();
    const row = em.create(ApiKeySchema, {
      organization: organizationId,
      member,
      name: trimmed,
      prefix: generated.prefix,
      secretHash: generated.secretHash,
      scopes,
      expiresAt: options.expiresAt ?? null,
    });
    await em.flush();
    return { key: generated.key, prefix: generated.prefix, id: row.id, apiKey: row };
  }

  /**
   * A key created through the API: for yourself with `write`, for another member with `admin`, and never with
   * more than the creator may do (a write-scoped key cannot mint an admin key).
   */
  async createApiKeyAs(principal: Principal, name: string, options: ApiKeyOptions) {
    const forSelf = !options.memberId || options.memberId === principal.memberId;
    requirePermission(principal, forSelf ? 'write' : 'admin', 'creating an API key');
    if (options.scopes && !scopesWithin(normalizeScopes(options.scopes), principal.permissions)) {
      throw new PakatiError('FORBIDDEN', 'a key cannot have scopes its creator lacks', {
        reason: 'SCOPES_EXCEED_CALLER',
        field: 'scopes',
      });
    }
    return this.createApiKey(principal.organizationId, name, {
      ...options,
      cap: principal.permissions,
      memberId: forSelf ? principal.memberId : options.memberId,
    });
  }

  /** Admins see every key of the organization; everyone else sees their own. Revoked keys stay listed. */
  async listApiKeys(principal: Principal, page: PageQuery): Promise<ApiKey[]> {
    const { where, options } = keysetQuery(page);
    const own = principal.permissions.has('admin') ? {} : { member: principal.memberId };
    return (
      this.orm.em
        .fork()
        // biome-ignore lint/suspicious/noExplicitAny: MikroORM's FilterQuery cannot type a composed keyset condition
        .find(ApiKeySchema, { organization: principal.organizationId, ...own, ...where } as any, options)
    );
  }

  async findApiKey(principal: Principal, id: string): Promise<ApiKey | null> {
    if (!isUuid(id)) return null;
    const own = principal.permissions.has('admin') ? {} : { member: principal.memberId };
    return this.orm.em.fork().findOne(ApiKeySchema, { id, organization: principal.organizationId, ...own });
  }

  /**
   * Revokes a key: your own always, anyone's with `admin`; revoking an already revoked key changes nothing.
   * The key the caller is signed in with is refused unless `confirmSelf`, since revoking it signs them out.
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
    if (row.member.id !== principal.memberId)
      requirePermission(principal, 'admin', "revoking another member's key");
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
    await this.credentialEvents?.changed([row.id]);
    return row;
  }

  async revokeApiKey(prefix: string): Promise<boolean> {
    const em = this.orm.em.fork();
    const row = await em.findOne(ApiKeySchema, { prefix, revokedAt: null });
    if (!row) return false;
    row.revokedAt = new Date();
    await em.flush();
    await this.credentialEvents?.changed([row.id]);
    return true;
  }

  /** A signed web session for the caller's key, ending no later than the key itself. */
  async createSession(principal: Principal, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    if (principal.sessionExpiresAt) {
      throw new PakatiError('FORBIDDEN', 'a session cannot start another session; sign in with the API key', {
        reason: 'SESSION_FROM_SESSION',
      });
    }
    if (!this.sessions) throw new Error('web sessions are not configured in this process');
    const em = this.orm.em.fork();
    const key = await em.findOneOrFail(ApiKeySchema, { id: principal.apiKeyId });
    let expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    if (key.expiresAt && key.expiresAt < expiresAt) expiresAt = key.expiresAt;
    return { token: await this.sessions.issue(key.id, expiresAt), expiresAt };
  }

  /**
   * The principal for an API key or a web session token; null for anything malformed, unknown, revoked,
   * expired or whose member was removed: callers answer 401 without saying which.
   */
  async authenticate(token: string): Promise<Principal | null> {
    const em = this.orm.em.fork();
    let row: ApiKey | null = null;
    let sessionExpiresAt: Date | null = null;
    const parsed = parseApiKey(token);
    if (parsed) {
      row = await em.findOne(
        ApiKeySchema,
        { prefix: parsed.prefix },
        { populate: ['organization', 'member'] },
      );
      if (row && !apiKeyMatches(token, row.secretHash)) row = null;
    } else if (this.sessions && looksLikeJwt(token)) {
      const session = await this.sessions.verify(token);
      if (!session) return null;
      sessionExpiresAt = session.expiresAt;
      row = await em.findOne(
        ApiKeySchema,
        { id: session.apiKeyId },
        { populate: ['organization', 'member'] },
      );
    }
    const now = new Date();
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now) || row.member.removedAt) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
      await em.nativeUpdate(ApiKeySchema, { id: row.id }, { lastUsedAt: now });
    }
    return {
      organizationId: row.organization.id,
      organizationName: row.organization.name,
      tier: row.organization.tier,
      apiKeyId: row.id,
      apiKeyPrefix: row.prefix,
      memberId: row.member.id,
      role: row.member.role,
      permissions: effectivePermissions(row.member.role, row.scopes),
      sessionExpiresAt,
      expiresAt: earliest(row.expiresAt ?? null, sessionExpiresAt),
    };
  }
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a < b ? a : b;
}

function widestScopes(role: ReadonlySet<Permission>, cap?: ReadonlySet<Permission>): ApiKeyScope[] {
  return API_KEY_SCOPES.filter((s) => scopesWithin([s], role) && (!cap || scopesWithin([s], cap)));
}

/** Scopes as a set in canonical order. */
function normalizeScopes(scopes: readonly string[]): ApiKeyScope[] {
  const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (unknown.length || scopes.length === 0) {
    throw new PakatiError('BAD_USER_INPUT', `scopes are one or more of ${API_KEY_SCOPES.join(', ')}`, {
      field: 'scopes',
    });
  }
  return API_KEY_SCOPES.filter((s) => scopes.includes(s));
}

export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
