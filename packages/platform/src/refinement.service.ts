import {
  type AnalysisRecord,
  AnalysisRecordSchema,
  type Orm,
  type RefinementEvidence,
  RefinementEvidenceSchema,
  type RefinementIteration,
  RefinementIterationSchema,
} from '@pakati/db';

/** Read side of REFINE runs: iterations, the evidence behind each recommendation, and the analyses. */
export class RefinementService {
  constructor(private readonly orm: Orm) {}

  async iterations(runId: string): Promise<RefinementIteration[]> {
    return this.orm.em.fork().find(RefinementIterationSchema, { run: runId }, { orderBy: { index: 'asc' } });
  }

  async evidence(iterationId: string, regionId?: string | null): Promise<RefinementEvidence[]> {
    return this.orm.em
      .fork()
      .find(
        RefinementEvidenceSchema,
        { iteration: iterationId, ...(regionId ? { regionId } : {}) },
        { orderBy: { regionId: 'asc', output: 'asc' } },
      );
  }

  async analysis(id: string): Promise<AnalysisRecord | null> {
    return this.orm.em.fork().findOne(AnalysisRecordSchema, { id });
  }
}
