import type { Command } from './command.ts';
import { keysCreate, keysList, keysRevoke } from './keys-commands.ts';
import {
  adminKeyCreate,
  adminKeyRevoke,
  devSetup,
  migrate,
  orgCreate,
  orgTier,
} from './operator-commands.ts';
import { projectApply, refine } from './project-commands.ts';
import { runCancel, runDownload, runStart, runWatch } from './run-commands.ts';

/** Command words to command; the longest words that match the arguments win. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['project apply', projectApply],
  ['refine', refine],
  ['run start', runStart],
  ['run watch', runWatch],
  ['run download', runDownload],
  ['run cancel', runCancel],
  ['keys list', keysList],
  ['keys create', keysCreate],
  ['keys revoke', keysRevoke],
  ['org create', orgCreate],
  ['org tier', orgTier],
  ['admin key create', adminKeyCreate],
  ['admin key revoke', adminKeyRevoke],
  ['migrate', migrate],
  ['dev-setup', devSetup],
]);

export function findCommand(positionals: readonly string[]): { command: Command; args: string[] } | null {
  for (let words = 3; words >= 1; words--) {
    const command = COMMANDS.get(positionals.slice(0, words).join(' '));
    if (command) return { command, args: positionals.slice(words) };
  }
  return null;
}

export function usageText(): string {
  const api = [...COMMANDS.values()].filter((c) => !c.flags.includes('database-url'));
  const operator = [...COMMANDS.values()].filter((c) => c.flags.includes('database-url'));
  const lines = (commands: Command[]) => commands.map((c) => `  pakati ${c.usage}\n      ${c.summary}`);
  return [
    'usage: pakati <command> [options]',
    '',
    'API commands (--url or PAKATI_API_URL, --api-key or PAKATI_API_KEY):',
    ...lines(api),
    '',
    'Operator commands (--database-url or DATABASE_URL):',
    ...lines(operator),
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage.',
  ].join('\n');
}
