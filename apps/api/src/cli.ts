// Operator commands: `pakati migrate`, `pakati org create <name>`, `pakati org tier <name> <tier>`, `pakati key create <org> [name]`,
// `pakati key revoke <prefix>`, and `pakati dev-setup --key-file <path>` used by `bin/pakati up`.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openOrm } from '@pakati/db';
import { IdentityService, loadConfig } from '@pakati/platform';

const [command, sub, ...rest] = process.argv.slice(2);
const config = loadConfig();
const orm = await openOrm({ databaseUrl: config.databaseUrl, poolMax: 2 });
const identity = new IdentityService(orm);

async function orgByName(name: string | undefined) {
  if (!name) throw new Error('organization name required');
  const org = await identity.findOrganization(name);
  if (!org) throw new Error(`no organization named "${name}"`);
  return org;
}

try {
  if (command === 'migrate') {
    console.log('migrations applied');
  } else if (command === 'org' && sub === 'create') {
    const org = await identity.createOrganization(rest[0] ?? '');
    console.log(`organization ${org.name} (${org.id})`);
  } else if (command === 'org' && sub === 'tier') {
    const org = await identity.setTier((await orgByName(rest[0])).id, (rest[1] ?? '').toUpperCase());
    console.log(`organization ${org.name} is ${org.tier}`);
  } else if (command === 'key' && sub === 'create') {
    const org = await orgByName(rest[0]);
    const key = await identity.createApiKey(org.id, rest[1] ?? 'cli');
    console.log(`API key for ${org.name} (shown once, store it now):\n${key.key}`);
  } else if (command === 'key' && sub === 'revoke') {
    console.log((await identity.revokeApiKey(rest[0] ?? '')) ? 'revoked' : 'no active key with that prefix');
  } else if (command === 'dev-setup') {
    const flag = process.argv.indexOf('--key-file');
    const keyFile = path.resolve(flag > 0 ? process.argv[flag + 1]! : '.data/dev-api-key');
    // First start only: later starts reuse the stored key, so the file is the one source of it.
    if (!existsSync(keyFile)) {
      const org = (await identity.findOrganization('dev')) ?? (await identity.createOrganization('dev'));
      const key = await identity.createApiKey(org.id, 'dev');
      mkdirSync(path.dirname(keyFile), { recursive: true });
      writeFileSync(keyFile, `${key.key}\n`, { mode: 0o600 });
      console.log(`\n  Development API key for organization "dev" (stored in ${keyFile}):\n\n  ${key.key}\n`);
    } else {
      console.log(`development API key: ${keyFile}`);
    }
  } else {
    console.log(
      'usage: pakati migrate | org create <name> | org tier <name> starter|professional|enterprise | key create <org> [name] | key revoke <prefix> | dev-setup --key-file <path>',
    );
    process.exitCode = command ? 2 : 0;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await orm.close();
}
