import { type AuditEntry, AuditEntrySchema, type Orm } from '@pakati/db';
import { keysetQuery, type PageQuery } from './keyset-page.ts';

export interface AuditRecord {
  organizationId: string;
  memberId: string | null;
  apiKeyId: string | null;
  actor: string;
  operation: string;
  input: unknown;
  outcome: 'OK' | 'ERROR';
  errorCode: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

const SECRET_NAME = /secret|password|token|key$|^key|authorization|cookie/i;
const MAX_STRING = 200;
const MAX_DEPTH = 6;
const MAX_ITEMS = 50;

/**
 * What an audit entry keeps of a mutation's input: enough to tell what was asked, never a secret and never
 * a blob. Secret-named fields become "[redacted]", uploads their name and size, long strings are cut.
 */
export function auditInput(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (isFile(value)) return { file: value.name, bytes: value.size };
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => auditInput(v, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `… ${value.length - MAX_ITEMS} more`] : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // `idempotencyKey` and `apiKey` ids are not secrets; plain `key`/`*Secret` values are.
      out[k] =
        SECRET_NAME.test(k) && !/^(idempotencyKey|apiKeyId)$/.test(k)
          ? '[redacted]'
          : auditInput(v, depth + 1);
    }
    return out;
  }
  return String(value);
}

// graphql-yoga's uploads are its own File class, not always the global one: check the shape.
const isFile = (v: unknown): v is { name: string; size: number } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { arrayBuffer?: unknown }).arrayBuffer === 'function' &&
  typeof (v as { size?: unknown }).size === 'number';

const clip = (value: string | null, max = 255) => (value && value.length > max ? value.slice(0, max) : value);

/** Every mutation attempt of an organization, newest first, readable by its admins. */
export class AuditLog {
  constructor(private readonly orm: Orm) {}

  async record(entries: readonly AuditRecord[]): Promise<void> {
    if (entries.length === 0) return;
    const em = this.orm.em.fork();
    for (const e of entries) {
      em.create(AuditEntrySchema, {
        organization: e.organizationId,
        memberId: e.memberId,
        apiKeyId: e.apiKeyId,
        actor: clip(e.actor)!,
        operation: clip(e.operation)!,
        input: auditInput(e.input) as Record<string, unknown> | null,
        outcome: e.outcome,
        errorCode: clip(e.errorCode),
        ip: clip(e.ip),
        userAgent: clip(e.userAgent),
        requestId: clip(e.requestId),
      });
    }
    await em.flush();
  }

  async list(
    organizationId: string,
    page: PageQuery,
    filter: { operation?: string | null; memberId?: string | null } = {},
  ): Promise<AuditEntry[]> {
    const { where, options } = keysetQuery(page);
    const narrowed: Record<string, unknown> = { organization: organizationId, ...where };
    if (filter.operation) narrowed.operation = filter.operation;
    if (filter.memberId) narrowed.memberId = filter.memberId;
    // biome-ignore lint/suspicious/noExplicitAny: MikroORM's FilterQuery cannot type a composed keyset condition
    return this.orm.em.fork().find(AuditEntrySchema, narrowed as any, options);
  }
}
