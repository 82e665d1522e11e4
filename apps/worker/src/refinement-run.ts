import type { LoopRegion } from '@pakati/backends';
import { promptTargets, type RasterImage } from '@pakati/core';
import { type Run, RunSchema, TERMINAL_RUN_STATUSES } from '@pakati/db';
import type { Platform, RefineReference, RunParameters } from '@pakati/platform';
import type { AnalysisServices } from './analysis-services.ts';

export type RefineParameters = RunParameters & { refine: NonNullable<RunParameters['refine']> };

/** The run, when it is a REFINE run that is still going; null when it has ended (cancelled, failed). */
export async function activeRefineRun(
  platform: Platform,
  runId: string,
): Promise<{ run: Run; params: RefineParameters } | null> {
  const run = await platform.orm.em.fork().findOne(RunSchema, { id: runId }, { populate: ['project'] });
  if (!run || TERMINAL_RUN_STATUSES.includes(run.status)) return null;
  const params = run.parameters as unknown as RunParameters;
  if (!params.refine) throw new Error(`run ${runId} is not a REFINE run`);
  return { run, params: params as RefineParameters };
}

function referencesOf(params: RefineParameters, regionId: string): RefineReference[] {
  return params.refine.references.filter((r) => r.regionId === null || r.regionId === regionId);
}

export interface RefineTargets {
  /** Regions with at least one reference, in z-order, with their references' profiles. */
  regions: LoopRegion[];
  /** Per region, the reference a generative step draws from: the one with the most weight. */
  primary: Map<string, RasterImage>;
}

export async function refineTargets(
  params: RefineParameters,
  services: AnalysisServices,
  only?: string,
): Promise<RefineTargets> {
  const regions: LoopRegion[] = [];
  const primary = new Map<string, RasterImage>();
  for (const region of params.regions) {
    if (only && region.id !== only) continue;
    const refs = referencesOf(params, region.id);
    if (refs.length === 0) continue;
    const loaded = await Promise.all(refs.map((r) => services.reference(r.imageKey)));
    regions.push({
      id: region.id,
      points: region.points,
      featherPx: region.feather,
      references: refs.map((r, i) => ({ id: r.id, weight: r.weight, profile: loaded[i]!.profile })),
      // The prompt's tone words ("a dark table") are targets too, for the attributes they name.
      targets: promptTargets(region.prompt).targets,
    });
    const best = refs.reduce((a, b, i) => (b.weight > refs[a]!.weight ? i : a), 0);
    primary.set(region.id, loaded[best]!.image);
  }
  return { regions, primary };
}
