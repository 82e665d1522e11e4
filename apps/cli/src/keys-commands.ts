import type { ApiKey } from '@pakati/client';
import { CliError } from './cli-errors.ts';
import { println } from './cli-io.ts';
import type { Command } from './command.ts';
import { bareKeyPrefix } from './key-prefix.ts';

function keyState(key: ApiKey): string {
  if (key.revokedAt) return `revoked ${key.revokedAt}`;
  return key.current ? 'active (this key)' : 'active';
}

export const keysList: Command = {
  usage: 'keys list',
  summary: "the organization's API keys, newest first",
  arity: [0, 0],
  flags: [],
  async run({ io, api }) {
    for await (const key of api().listApiKeys()) {
      const used = key.lastUsedAt ? `last used ${key.lastUsedAt}` : 'never used';
      println(
        io.stdout,
        `${key.id}  ${key.prefix}  ${key.name}  created ${key.createdAt}  ${used}  ${keyState(key)}`,
      );
    }
  },
};

export const keysCreate: Command = {
  usage: 'keys create <name>',
  summary: 'create an API key (the secret is shown once)',
  arity: [1, 1],
  flags: [],
  async run({ args, io, api }) {
    const created = await api().createApiKey(args[0]!);
    println(io.stdout, `API key ${created.apiKey.id} "${created.apiKey.name}" (shown once, store it now):`);
    println(io.stdout, created.key);
  },
};

export const keysRevoke: Command = {
  usage: 'keys revoke <id|prefix> [--confirm-self]',
  summary: 'revoke an API key; --confirm-self to revoke the key you are using',
  arity: [1, 1],
  flags: ['confirm-self'],
  async run({ args, flags, io, api }) {
    const client = api();
    const wanted = args[0]!;
    let id = wanted;
    // A prefix is what people see (`pk_<prefix>_`): find the key it names.
    for await (const key of client.listApiKeys()) {
      if (key.id === wanted) break;
      if (bareKeyPrefix(wanted) === key.prefix) {
        id = key.id;
        break;
      }
    }
    const revoked = await client.revokeApiKey(id, { confirmSelf: flags['confirm-self'] ?? false });
    if (!revoked.revokedAt) throw new CliError('NOT_REVOKED', `key ${wanted} is still active`);
    println(io.stdout, `revoked ${revoked.prefix} "${revoked.name}"`);
  },
};
