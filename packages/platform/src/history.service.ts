import { type GenerationStep, GenerationStepSchema, type Orm } from '@pakati/db';
import { keysetQuery, type PageQuery } from './keyset-page.ts';

/** The generation history: every step of every run, kept with its seed, backend and image. */
export class HistoryService {
  constructor(private readonly orm: Orm) {}

  /** Newest first; pass a region id to get only that region's steps. */
  async projectHistory(projectId: string, page: PageQuery, regionId?: string): Promise<GenerationStep[]> {
    const { where, options } = keysetQuery(page);
    const filter = { project: projectId, ...(regionId ? { regionId } : {}), ...where };
    // biome-ignore lint/suspicious/noExplicitAny: MikroORM's FilterQuery cannot type a composed keyset condition
    return this.orm.em.fork().find(GenerationStepSchema, filter as any, options);
  }

  async runSteps(runId: string): Promise<GenerationStep[]> {
    return this.orm.em
      .fork()
      .find(GenerationStepSchema, { run: runId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }
}
