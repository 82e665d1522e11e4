import path from 'node:path';
import { applyProject } from './apply-project.ts';
import { println } from './cli-io.ts';
import type { Command } from './command.ts';
import { loadProjectSpec } from './project-spec.ts';
import { downloadRunImage } from './run-commands.ts';
import { watchRun } from './watch-run.ts';

export const projectApply: Command = {
  usage: 'project apply <spec.json>',
  summary: 'create a project with its regions and references from a JSON file',
  arity: [1, 1],
  flags: [],
  async run({ args, io, api }) {
    const loaded = await loadProjectSpec(path.resolve(io.cwd, args[0]!));
    await applyProject(api(), loaded, io);
  },
};

export const refine: Command = {
  usage: 'refine <spec.json> [-o out.png]',
  summary: 'apply a spec, run a REFINE with its `run` options, watch it and save the image',
  arity: [1, 1],
  flags: ['output'],
  async run({ args, flags, io, api }) {
    const specFile = path.resolve(io.cwd, args[0]!);
    const loaded = await loadProjectSpec(specFile);
    const output = flags.output ?? `${path.basename(specFile, path.extname(specFile))}.png`;
    const client = api();
    const applied = await applyProject(client, loaded, io);
    const run = await client.startRun({ projectId: applied.projectId, kind: 'REFINE', ...loaded.spec.run });
    println(io.stdout, `run ${run.id} REFINE seed ${run.seed}`);
    await watchRun(client, run.id, io, { regionNames: applied.regionNames });
    await downloadRunImage(client, run.id, output, io);
  },
};
