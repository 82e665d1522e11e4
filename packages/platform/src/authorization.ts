import { PakatiError } from '@pakati/core';
import type { ApiKeyScope, MemberRole } from '@pakati/db';

/**
 * What a request may do. A member's role sets the ceiling and the key's scopes narrow it: a key never grants
 * more than its member's role, and a member's role never reaches further than the key lets it.
 */
export type Permission = 'read' | 'write' | 'admin' | 'owner';

const ROLE_PERMISSIONS: Record<MemberRole, readonly Permission[]> = {
  VIEWER: ['read'],
  MEMBER: ['read', 'write'],
  ADMIN: ['read', 'write', 'admin'],
  OWNER: ['read', 'write', 'admin', 'owner'],
};

// `owner` rides on the admin scope: an owner's admin key can do what the owner can.
const SCOPE_PERMISSIONS: Record<ApiKeyScope, readonly Permission[]> = {
  read: ['read'],
  write: ['read', 'write'],
  admin: ['read', 'write', 'admin', 'owner'],
};

export function effectivePermissions(role: MemberRole, scopes: readonly ApiKeyScope[]): Set<Permission> {
  const allowedByKey = new Set(scopes.flatMap((s) => SCOPE_PERMISSIONS[s] ?? []));
  return new Set(ROLE_PERMISSIONS[role].filter((p) => allowedByKey.has(p)));
}

export function rolePermissions(role: MemberRole): ReadonlySet<Permission> {
  return new Set(ROLE_PERMISSIONS[role]);
}

/** The scopes a key needs to carry all of `permissions`; used to refuse keys wider than their holder. */
export function scopesWithin(scopes: readonly ApiKeyScope[], allowed: ReadonlySet<Permission>): boolean {
  return scopes.every((s) => SCOPE_PERMISSIONS[s].filter((p) => p !== 'owner').every((p) => allowed.has(p)));
}

export function forbidden(permission: Permission, what: string): PakatiError {
  return new PakatiError('FORBIDDEN', `${what} needs the ${permission} permission`, {
    reason: 'MISSING_PERMISSION',
    permission,
  });
}

export function requirePermission(
  principal: { permissions: ReadonlySet<Permission> },
  permission: Permission,
  what: string,
): void {
  if (!principal.permissions.has(permission)) throw forbidden(permission, what);
}
