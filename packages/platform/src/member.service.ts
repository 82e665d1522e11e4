import { PakatiError } from '@pakati/core';
import { ApiKeySchema, MEMBER_ROLES, type Member, type MemberRole, MemberSchema, type Orm } from '@pakati/db';
import { requirePermission } from './authorization.ts';
import type { CredentialEvents } from './credential-events.ts';
import type { Principal } from './identity.service.ts';
import { keysetQuery, type PageQuery } from './keyset-page.ts';
import { isUuid } from './project.service.ts';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

function checkRole(role: string): MemberRole {
  if (!(MEMBER_ROLES as readonly string[]).includes(role)) {
    throw new PakatiError('BAD_USER_INPUT', `role must be one of ${MEMBER_ROLES.join(', ')}`, {
      field: 'role',
    });
  }
  return role as MemberRole;
}

/**
 * Members and their roles. Admins manage members; only owners make, unmake or remove owners, and an
 * organization always keeps at least one owner.
 */
export class MemberService {
  constructor(
    private readonly orm: Orm,
    private readonly credentialEvents?: CredentialEvents,
  ) {}

  async list(principal: Principal, page: PageQuery): Promise<Member[]> {
    const { where, options } = keysetQuery(page);
    // biome-ignore lint/suspicious/noExplicitAny: MikroORM's FilterQuery cannot type a composed keyset condition
    const filter = { organization: principal.organizationId, removedAt: null, ...where } as any;
    return this.orm.em.fork().find(MemberSchema, filter, options);
  }

  async find(organizationId: string, id: string): Promise<Member | null> {
    if (!isUuid(id)) return null;
    return this.orm.em.fork().findOne(MemberSchema, { id, organization: organizationId, removedAt: null });
  }

  async add(principal: Principal, input: { email: string; name: string; role: string }): Promise<Member> {
    requirePermission(principal, 'admin', 'adding a member');
    const role = checkRole(input.role);
    if (role === 'OWNER') requirePermission(principal, 'owner', 'adding an owner');
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email) || /\p{Cc}/u.test(email))
      throw new PakatiError('BAD_USER_INPUT', 'email is not an address', { field: 'email' });
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100 || /\p{Cc}/u.test(name)) {
      throw new PakatiError('BAD_USER_INPUT', 'names are 1-100 printable characters', { field: 'name' });
    }
    const em = this.orm.em.fork();
    const existing = await em.findOne(MemberSchema, { organization: principal.organizationId, email });
    if (existing && !existing.removedAt) {
      throw new PakatiError('BAD_USER_INPUT', 'a member with this email exists', {
        field: 'email',
        reason: 'DUPLICATE',
      });
    }
    // A removed member who comes back is the same person: reuse the row (the email is unique per organization).
    const member =
      existing ?? em.create(MemberSchema, { organization: principal.organizationId, email, name, role });
    Object.assign(member, { name, role, removedAt: null });
    await em.flush();
    return member;
  }

  async updateRole(principal: Principal, id: string, role: string): Promise<Member> {
    requirePermission(principal, 'admin', "changing a member's role");
    const next = checkRole(role);
    const member = await this.orm.em.fork().transactional(async (tx) => {
      const member = await this.lockedMember(tx, principal.organizationId, id);
      if (member.role === 'OWNER' || next === 'OWNER')
        requirePermission(principal, 'owner', 'changing an owner');
      if (member.role === 'OWNER' && next !== 'OWNER') await this.keepAnOwner(tx, principal.organizationId);
      member.role = next;
      return member;
    });
    await this.announce(member.id);
    return member;
  }

  /** Removing a member revokes every key they hold. */
  async remove(principal: Principal, id: string): Promise<Member> {
    requirePermission(principal, 'admin', 'removing a member');
    const member = await this.orm.em.fork().transactional(async (tx) => {
      const member = await this.lockedMember(tx, principal.organizationId, id);
      if (member.role === 'OWNER') {
        requirePermission(principal, 'owner', 'removing an owner');
        await this.keepAnOwner(tx, principal.organizationId);
      }
      const now = new Date();
      member.removedAt = now;
      await tx.nativeUpdate(ApiKeySchema, { member: member.id, revokedAt: null }, { revokedAt: now });
      return member;
    });
    await this.announce(member.id);
    return member;
  }

  /** Sockets opened with the member's keys close, so they reconnect with what the member may do now. */
  private async announce(memberId: string): Promise<void> {
    if (!this.credentialEvents) return;
    const keys = await this.orm.em.fork().find(ApiKeySchema, { member: memberId }, { fields: ['id'] });
    await this.credentialEvents.changed(keys.map((k) => k.id));
  }

  private async lockedMember(tx: Orm['em'], organizationId: string, id: string): Promise<Member> {
    // Owners are counted under this lock, so two demotions at once cannot leave the organization without one.
    await tx
      .getConnection()
      .execute(
        'select pg_advisory_xact_lock(hashtext(?))',
        [`members:${organizationId}`],
        'all',
        tx.getTransactionContext(),
      );
    const member = isUuid(id)
      ? await tx.findOne(MemberSchema, { id, organization: organizationId, removedAt: null })
      : null;
    if (!member) throw new PakatiError('NOT_FOUND', 'member not found');
    return member;
  }

  private async keepAnOwner(tx: Orm['em'], organizationId: string): Promise<void> {
    const owners = await tx.count(MemberSchema, {
      organization: organizationId,
      role: 'OWNER',
      removedAt: null,
    });
    if (owners <= 1) {
      throw new PakatiError('PRECONDITION_FAILED', 'an organization keeps at least one owner', {
        reason: 'LAST_OWNER',
      });
    }
  }
}
