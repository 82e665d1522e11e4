import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PakatiClient } from '@pakati/client';
import { CliError, UsageError } from './cli-errors.ts';
import { type CliIo, println } from './cli-io.ts';
import type { Flags } from './cli-options.ts';
import type { Command } from './command.ts';
import { intFlag, numberFlag } from './parse-number.ts';
import { watchRun } from './watch-run.ts';

type StartRunInput = Parameters<PakatiClient['startRun']>[0];
type Strategy = NonNullable<StartRunInput['strategy']>;
type Kind = StartRunInput['kind'];

const KINDS: readonly Kind[] = ['GENERATE', 'REFINE'];
const STRATEGIES: readonly Strategy[] = ['ADAPTIVE', 'AGGRESSIVE', 'CONSERVATIVE', 'TARGETED'];

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase() as T;
  if (!allowed.includes(upper)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}`);
  return upper;
}

/** The startRun input the run flags describe. */
export function runInputFromFlags(projectId: string, flags: Flags): StartRunInput {
  const input: StartRunInput = { projectId, kind: oneOf('mode', flags.mode, KINDS) ?? 'GENERATE' };
  const strategy = oneOf('strategy', flags.strategy, STRATEGIES);
  const maxIterations = intFlag('max-iterations', flags['max-iterations']);
  const targetScore = numberFlag('target-score', flags['target-score']);
  const seed = intFlag('seed', flags.seed);
  if (strategy !== undefined) input.strategy = strategy;
  if (maxIterations !== undefined) input.maxIterations = maxIterations;
  if (targetScore !== undefined) input.targetScore = targetScore;
  if (seed !== undefined) input.seed = seed;
  if (flags.backend !== undefined) input.backend = flags.backend;
  return input;
}

/** Writes a finished run's image; refuses a run that has none (yet). */
export async function downloadRunImage(client: PakatiClient, runId: string, output: string, io: CliIo) {
  const run = await client.run(runId);
  if (!run) throw new CliError('NOT_FOUND', `no run ${runId} in this organization`);
  if (run.status !== 'SUCCEEDED' || !run.imageUrl) {
    throw new CliError('RUN_NOT_SUCCEEDED', `run ${runId} is ${run.status}: it has no image to download`);
  }
  const bytes = await client.downloadImage(run.imageUrl);
  const target = path.resolve(io.cwd, output);
  await writeFile(target, bytes);
  println(io.stdout, `image ${target} (${bytes.byteLength} bytes)`);
}

const RUN_FLAGS = ['mode', 'strategy', 'max-iterations', 'target-score', 'seed', 'backend'] as const;

export const runStart: Command = {
  usage:
    'run start <projectId> [--mode GENERATE|REFINE] [--strategy S] [--max-iterations N] [--target-score X] [--seed N] [--backend B] [--watch [-o out.png]]',
  summary: 'start a run; --watch follows it to the end',
  arity: [1, 1],
  flags: [...RUN_FLAGS, 'watch', 'output'],
  async run({ args, flags, io, api }) {
    if (flags.output && !flags.watch) throw new UsageError('-o needs --watch (or use `pakati run download`)');
    const input = runInputFromFlags(args[0]!, flags);
    const run = await api().startRun(input);
    println(io.stdout, `run ${run.id} ${run.kind} ${run.status} seed ${run.seed}`);
    if (!flags.watch) return;
    await watchRun(api(), run.id, io);
    if (flags.output) await downloadRunImage(api(), run.id, flags.output, io);
  },
};

export const runWatch: Command = {
  usage: 'run watch <runId> [--after SEQ]',
  summary: 'follow a run live: progress bar, ETA, steps and iterations',
  arity: [1, 1],
  flags: ['after'],
  async run({ args, flags, io, api }) {
    await watchRun(api(), args[0]!, io, { after: intFlag('after', flags.after) ?? 0 });
  },
};

export const runDownload: Command = {
  usage: 'run download <runId> -o <out.png>',
  summary: "save a finished run's image",
  arity: [1, 1],
  flags: ['output'],
  async run({ args, flags, io, api }) {
    if (!flags.output) throw new UsageError('-o <file> is required');
    await downloadRunImage(api(), args[0]!, flags.output, io);
  },
};

export const runCancel: Command = {
  usage: 'run cancel <runId>',
  summary: 'cancel a queued or running run',
  arity: [1, 1],
  flags: [],
  async run({ args, io, api }) {
    const run = await api().cancelRun(args[0]!);
    println(io.stdout, `run ${run.id} ${run.status}`);
  },
};
