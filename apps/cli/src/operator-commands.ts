import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IdentityService } from '@pakati/platform';
import { CliError, UsageError } from './cli-errors.ts';
import { type CliIo, println } from './cli-io.ts';
import type { Flags } from './cli-options.ts';
import type { Command, CommandContext } from './command.ts';
import { bareKeyPrefix } from './key-prefix.ts';

type Identity = InstanceType<typeof IdentityService>;

/**
 * Operator commands talk to PostgreSQL directly (no API key can create an organization). Opening the ORM
 * applies pending migrations first, as the API does on start.
 */
async function withIdentity(flags: Flags, io: CliIo, work: (identity: Identity) => Promise<void>) {
  const databaseUrl = flags['database-url'] ?? io.env.DATABASE_URL;
  if (!databaseUrl) throw new UsageError('a database is needed: pass --database-url or set DATABASE_URL');
  // Loaded here: the API commands, most of what people run, then start without the database layer.
  const [{ openOrm }, { IdentityService, SessionTokens }] = await Promise.all([
    import('@pakati/db'),
    import('@pakati/platform'),
  ]);
  const orm = await openOrm({ databaseUrl, poolMax: 2 });
  try {
    // These commands never sign web sessions; a per-process secret keeps the service whole without one.
    const secret = io.env.PAKATI_SESSION_SECRET ?? randomUUID() + randomUUID();
    await work(new IdentityService(orm, new SessionTokens(secret)));
  } finally {
    await orm.close();
  }
}

async function organizationNamed(identity: Identity, name: string) {
  const org = await identity.findOrganization(name);
  if (!org) throw new CliError('NOT_FOUND', `no organization named "${name}"`);
  return org;
}

const operator = (
  usage: string,
  summary: string,
  arity: [number, number],
  work: (identity: Identity, context: CommandContext) => Promise<void>,
  flags: Command['flags'] = [],
): Command => ({
  usage,
  summary,
  arity,
  flags: ['database-url', ...flags],
  run: (context) => withIdentity(context.flags, context.io, (identity) => work(identity, context)),
});

export const migrate = operator('migrate', 'apply pending database migrations', [0, 0], async (_, { io }) => {
  println(io.stdout, 'migrations applied');
});

export const orgCreate = operator(
  'org create <name>',
  'create an organization (with its first owner)',
  [1, 1],
  async (identity, { args, io }) => {
    if (await identity.findOrganization(args[0]!.trim())) {
      throw new CliError('ALREADY_EXISTS', `an organization named "${args[0]!.trim()}" exists`);
    }
    const org = await identity.createOrganization(args[0]!);
    println(io.stdout, `organization ${org.name} (${org.id})`);
  },
);

export const orgTier = operator(
  'org tier <name> <starter|professional|enterprise>',
  "set an organization's tier",
  [2, 2],
  async (identity, { args, io }) => {
    const org = await organizationNamed(identity, args[0]!);
    const updated = await identity.setTier(org.id, args[1]!.toUpperCase());
    println(io.stdout, `organization ${updated.name} is ${updated.tier}`);
  },
);

export const adminKeyCreate = operator(
  'admin key create <org> [name]',
  "create an API key for an organization's owner",
  [1, 2],
  async (identity, { args, io }) => {
    const org = await organizationNamed(identity, args[0]!);
    const key = await identity.createApiKey(org.id, args[1] ?? 'cli');
    println(io.stdout, `API key for ${org.name} (shown once, store it now):`);
    println(io.stdout, key.key);
  },
);

export const adminKeyRevoke = operator(
  'admin key revoke <prefix>',
  'revoke an API key of any organization by its prefix',
  [1, 1],
  async (identity, { args, io }) => {
    const prefix = bareKeyPrefix(args[0]!);
    if (!(await identity.revokeApiKey(prefix))) {
      throw new CliError('NOT_FOUND', `no active key with prefix ${prefix}`);
    }
    println(io.stdout, `revoked ${prefix}`);
  },
);

export const devSetup = operator(
  'dev-setup [--key-file <path>]',
  'first start of `bin/pakati up`: a "dev" organization and a key stored in a file',
  [0, 0],
  async (identity, { flags, io }) => {
    const keyFile = path.resolve(io.cwd, flags['key-file'] ?? '.data/dev-api-key');
    // First start only: later starts reuse the stored key, so the file is the one source of it.
    if (existsSync(keyFile)) {
      println(io.stdout, `development API key: ${keyFile}`);
      return;
    }
    const org = (await identity.findOrganization('dev')) ?? (await identity.createOrganization('dev'));
    const key = await identity.createApiKey(org.id, 'dev');
    mkdirSync(path.dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${key.key}\n`, { mode: 0o600 });
    println(
      io.stdout,
      `\n  Development API key for organization "dev" (stored in ${keyFile}):\n\n  ${key.key}\n`,
    );
  },
  ['key-file'],
);
