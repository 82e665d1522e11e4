import path from 'node:path';
import type { PakatiClient } from '@pakati/client';
import { type CliIo, println } from './cli-io.ts';
import type { LoadedSpec } from './project-spec.ts';

export interface AppliedProject {
  projectId: string;
  /** Region ids in spec order. */
  regionIds: string[];
  /** Region id to its name in the spec (or `regions[i]`), for progress lines. */
  regionNames: Map<string, string>;
  referenceIds: string[];
}

/** Creates the project, then its regions, then uploads the references; prints each id as it is made. */
export async function applyProject(
  client: PakatiClient,
  loaded: LoadedSpec,
  io: CliIo,
): Promise<AppliedProject> {
  const { spec, references } = loaded;
  const project = await client.createProject({ name: spec.name, width: spec.width, height: spec.height });
  println(io.stdout, `project ${project.id} "${project.name}" ${project.width}x${project.height}`);
  const regionIds: string[] = [];
  const regionNames = new Map<string, string>();
  for (const [i, { references: _refs, name, ...region }] of spec.regions.entries()) {
    const created = await client.addRegion({ projectId: project.id, ...region });
    const label = name ?? `regions[${i}]`;
    regionIds.push(created.id);
    regionNames.set(created.id, label);
    println(io.stdout, `region ${created.id} ${label}`);
  }
  const referenceIds: string[] = [];
  for (const ref of references) {
    const created = await client.addReference({
      projectId: project.id,
      regionId: ref.region === null ? null : regionIds[ref.region]!,
      description: ref.description ?? null,
      image: ref.bytes,
      filename: path.basename(ref.file),
    });
    referenceIds.push(created.id);
    println(io.stdout, `reference ${created.id} ${ref.at} ${path.basename(ref.file)}`);
  }
  return { projectId: project.id, regionIds, regionNames, referenceIds };
}
