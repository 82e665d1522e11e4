import type { PakatiClient } from '@pakati/client';
import type { CliIo } from './cli-io.ts';
import type { Flag, Flags } from './cli-options.ts';

export interface CommandContext {
  /** Positional arguments after the command words. */
  args: string[];
  flags: Flags;
  io: CliIo;
  /** The API client from --url/--api-key or PAKATI_API_URL/PAKATI_API_KEY, made on first use. */
  api(): PakatiClient;
}

export interface Command {
  /** e.g. `run start <projectId> [--watch]`. */
  usage: string;
  summary: string;
  /** How many positionals it takes: [min, max]. */
  arity: [number, number];
  flags: readonly Flag[];
  run(context: CommandContext): Promise<void>;
}
