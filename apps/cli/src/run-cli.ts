import { parseArgs } from 'node:util';
import type { PakatiClient } from '@pakati/client';
import { apiClientFrom } from './api-client.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, errorLine, UsageError } from './cli-errors.ts';
import { type CliIo, println } from './cli-io.ts';
import { API_FLAGS, CLI_OPTIONS, type Flag, type Flags } from './cli-options.ts';
import type { Command } from './command.ts';
import { findCommand, usageText } from './command-table.ts';

function parse(argv: string[]): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: CLI_OPTIONS, allowPositionals: true });
    return { flags: values as Flags, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function checkUse(command: Command, args: string[], flags: Flags): void {
  const [min, max] = command.arity;
  if (args.length < min || args.length > max) {
    throw new UsageError(`expected: pakati ${command.usage}`);
  }
  const allowed = new Set<Flag>([...command.flags, 'help']);
  if (!command.flags.includes('database-url')) for (const flag of API_FLAGS) allowed.add(flag);
  const stray = (Object.keys(flags) as Flag[]).filter((flag) => !allowed.has(flag));
  if (stray.length > 0) {
    throw new UsageError(`${stray.map((f) => `--${f}`).join(', ')} not taken here: pakati ${command.usage}`);
  }
}

/** Runs one command line and returns its exit code: 0 ok, 1 failure, 2 usage. Errors are one line on stderr. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let client: PakatiClient | null = null;
  try {
    const { flags, positionals } = parse(argv);
    const found = findCommand(positionals);
    if (!found) {
      if (positionals.length === 0) {
        println(flags.help ? io.stdout : io.stderr, usageText());
        return flags.help ? EXIT_OK : EXIT_USAGE;
      }
      throw new UsageError(`unknown command "${positionals.join(' ')}" (pakati --help lists them)`);
    }
    const { command, args } = found;
    if (flags.help) {
      println(io.stdout, `usage: pakati ${command.usage}\n  ${command.summary}`);
      return EXIT_OK;
    }
    checkUse(command, args, flags);
    await command.run({
      args,
      flags,
      io,
      api: () => {
        client ??= apiClientFrom(flags, io.env);
        return client;
      },
    });
    return EXIT_OK;
  } catch (error) {
    println(io.stderr, errorLine(error));
    return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  } finally {
    await (client as PakatiClient | null)?.close();
  }
}
