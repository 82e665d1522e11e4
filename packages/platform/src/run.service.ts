import { randomInt } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  DEFAULT_REFINEMENT_SETTINGS,
  maskingStrategy,
  normalizeSeed,
  PakatiError,
  type RefinementSettings,
  type RefinementStrategy,
  referenceWeight,
  validateRefinementSettings,
} from '@pakati/core';
import {
  type Orm,
  ProjectSchema,
  ReferenceSchema,
  ReferenceUnderstandingSchema,
  RegionSchema,
  type Run,
  type RunKind,
  RunSchema,
} from '@pakati/db';
import { composeRunJob, type JobQueues, understandReferenceJob } from '@pakati/jobs';
import { keysetQuery, type PageQuery } from './keyset-page.ts';
import type { Logger } from './logger.ts';
import { checkBackend, isUuid } from './project.service.ts';
import type { RedisPubSub } from './redis-pubsub.ts';
import type { RunEventLog } from './run-event-log.ts';

export interface StartRunInput {
  projectId: string;
  kind: RunKind;
  seed?: number | null;
  idempotencyKey?: string | null;
  /** A backend for every region that does not name its own; null lets the selector choose. */
  backend?: string | null;
  /** Inpaint the regions into this earlier run's image instead of generating them on a fresh canvas. */
  baseRunId?: string | null;
  /** Rewrite each region's prompt with the configured enhancer before generating; both are kept in history. */
  enhancePrompts?: boolean | null;
  /** Generate the whole canvas in one pass with per-region (auto-negative) conditioning on a capable backend. */
  regionalConditioning?: boolean | null;
  /** UNDERSTAND runs: the reference to reconstruct, and which masking strategies (all when omitted). */
  referenceId?: string | null;
  strategies?: string[] | null;
  /** REFINE runs: how to refine, and when to stop. */
  strategy?: RefinementStrategy | null;
  maxIterations?: number | null;
  targetScore?: number | null;
}

/** A reference as a REFINE run sees it: frozen at start, with the weight its understanding level gives it. */
export interface RefineReference {
  id: string;
  imageKey: string;
  /** The region it belongs to, or null for a project-wide reference (it applies to every region). */
  regionId: string | null;
  level: number | null;
  weight: number;
}

/** What the worker renders: frozen at start so later edits to the project never change a run. */
export interface RunParameters {
  backend: string | null;
  /** The earlier run whose image the regions are inpainted into (Pakati's apply-to-region), or null. */
  base: { runId: string; imageKey: string } | null;
  enhancePrompts: boolean;
  regionalConditioning: boolean;
  understand: { referenceId: string; imageKey: string; strategies: string[] | null } | null;
  refine?: { settings: RefinementSettings; references: RefineReference[] } | null;
  canvas: { width: number; height: number };
  regions: {
    id: string;
    points: { x: number; y: number }[];
    prompt: string;
    negativePrompt: string | null;
    /** The region's own backend choice, or null. */
    model: string | null;
    seed: number | null;
    zOrder: number;
    feather: number;
  }[];
}

export class RunService {
  constructor(
    private readonly orm: Orm,
    private readonly queues: JobQueues,
    private readonly eventLog: RunEventLog,
    private readonly pubsub: RedisPubSub,
    private readonly logger: Logger,
    private readonly enabledBackends: readonly string[],
  ) {}

  async findRun(organizationId: string, id: string): Promise<Run | null> {
    if (!isUuid(id)) return null;
    return this.orm.em.fork().findOne(RunSchema, { id, organization: organizationId });
  }

  async getRun(organizationId: string, id: string): Promise<Run> {
    const run = await this.findRun(organizationId, id);
    if (!run) throw new PakatiError('NOT_FOUND', 'run not found');
    return run;
  }

  async listRuns(projectId: string, page: PageQuery): Promise<Run[]> {
    const { where, options } = keysetQuery(page);
    // biome-ignore lint/suspicious/noExplicitAny: MikroORM's FilterQuery cannot type a composed keyset condition
    return this.orm.em.fork().find(RunSchema, { project: projectId, ...where } as any, options);
  }

  async startRun(organizationId: string, input: StartRunInput): Promise<Run> {
    const key = input.idempotencyKey?.trim() || null;
    if (key !== null && key.length > 200) {
      throw new PakatiError('BAD_USER_INPUT', 'idempotencyKey is longer than 200 characters', {
        field: 'idempotencyKey',
      });
    }
    if (key) {
      const existing = await this.orm.em
        .fork()
        .findOne(RunSchema, { organization: organizationId, idempotencyKey: key });
      if (existing) return existing;
    }
    const seed = normalizeSeed(input.seed, () => randomInt(0, 2 ** 32 - 1));
    const em = this.orm.em.fork();
    const project = isUuid(input.projectId)
      ? await em.findOne(ProjectSchema, { id: input.projectId, organization: organizationId })
      : null;
    if (!project) throw new PakatiError('NOT_FOUND', 'project not found');
    if (input.baseRunId && input.regionalConditioning) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        'regionalConditioning generates a fresh canvas; it cannot be combined with baseRunId',
        {
          field: 'regionalConditioning',
        },
      );
    }
    const base = input.baseRunId ? await this.baseImage(organizationId, project, input.baseRunId) : null;
    const regions = await em.find(
      RegionSchema,
      { project },
      { orderBy: { zOrder: 'asc', createdAt: 'asc' } },
    );
    const parameters: RunParameters = {
      backend: checkBackend(input.backend, this.enabledBackends, 'backend'),
      base,
      enhancePrompts: input.enhancePrompts ?? false,
      regionalConditioning: input.regionalConditioning ?? false,
      understand: input.kind === 'UNDERSTAND' ? await this.understanding(project, input) : null,
      refine: input.kind === 'REFINE' ? await this.refinement(project, regions, input) : null,
      canvas: { width: project.width, height: project.height },
      regions: regions.map((r) => ({
        id: r.id,
        points: r.points,
        prompt: r.prompt,
        negativePrompt: r.negativePrompt ?? null,
        model: r.model ?? null,
        seed: r.seed ?? null,
        zOrder: r.zOrder,
        feather: r.feather,
      })),
    };
    let run: Run;
    let queued: Awaited<ReturnType<RunEventLog['append']>>;
    try {
      [run, queued] = await em.transactional(async (tx) => {
        const created = tx.create(RunSchema, {
          organization: organizationId,
          project,
          kind: input.kind,
          status: 'QUEUED',
          seed,
          parameters: parameters as unknown as Record<string, unknown>,
          idempotencyKey: key,
          lastEventSeq: 0,
        });
        return [created, await this.eventLog.append(tx, created, 'QUEUED', {}, null)] as const;
      });
    } catch (error) {
      // Two concurrent starts with one key: the loser returns the winner's run.
      if (key && error instanceof UniqueConstraintViolationException) {
        const winner = await this.orm.em
          .fork()
          .findOne(RunSchema, { organization: organizationId, idempotencyKey: key });
        if (winner) return winner;
      }
      throw error;
    }
    await this.eventLog.committed(queued.record, queued.context);
    await this.enqueue(run);
    return run;
  }

  private async understanding(project: { id: string }, input: StartRunInput) {
    const reference =
      input.referenceId && isUuid(input.referenceId)
        ? await this.orm.em.fork().findOne(ReferenceSchema, { id: input.referenceId, project: project.id })
        : null;
    if (!reference) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        "an UNDERSTAND run needs the referenceId of one of this project's references",
        {
          field: 'referenceId',
        },
      );
    }
    const strategies = input.strategies?.length ? [...new Set(input.strategies)] : null;
    for (const name of strategies ?? []) maskingStrategy(name); // unknown names: BAD_USER_INPUT before anything is queued
    return { referenceId: reference.id, imageKey: reference.blobKey, strategies };
  }

  /** Everything a REFINE run needs is checked here, before anything is stored or queued. */
  private async refinement(project: { id: string }, regions: { id: string }[], input: StartRunInput) {
    if (input.regionalConditioning) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        'a REFINE run refines regions one by one; regionalConditioning does not apply',
        {
          field: 'regionalConditioning',
        },
      );
    }
    if (regions.length === 0) {
      throw new PakatiError('PRECONDITION_FAILED', 'a REFINE run needs at least one region', {
        reason: 'NO_REGIONS',
      });
    }
    const references = await this.orm.em
      .fork()
      .find(ReferenceSchema, { project: project.id }, { orderBy: { createdAt: 'asc' } });
    const regionIds = new Set(regions.map((r) => r.id));
    const usable = references.filter((r) => !r.region || regionIds.has(r.region.id));
    const covered = regions.filter((region) => usable.some((r) => !r.region || r.region.id === region.id));
    if (covered.length === 0) {
      throw new PakatiError(
        'PRECONDITION_FAILED',
        'a REFINE run needs reference images: add one to the project or to a region',
        { reason: 'NO_REFERENCES' },
      );
    }
    const settings = validateRefinementSettings({
      ...DEFAULT_REFINEMENT_SETTINGS,
      strategy: input.strategy ?? 'ADAPTIVE',
      ...(input.maxIterations != null ? { maxIterations: input.maxIterations } : {}),
      ...(input.targetScore != null ? { targetScore: input.targetScore } : {}),
    });
    const levels = await Promise.all(usable.map((r) => this.understandingLevel(r.id)));
    return {
      settings,
      references: usable.map((r, i) => ({
        id: r.id,
        imageKey: r.blobKey,
        regionId: r.region?.id ?? null,
        level: levels[i]!,
        weight: referenceWeight(levels[i]),
      })),
    };
  }

  /** Mean level over the strategies of the reference's latest UNDERSTAND run, or null when never assessed. */
  private async understandingLevel(referenceId: string): Promise<number | null> {
    const em = this.orm.em.fork();
    const latest = await em.findOne(
      ReferenceUnderstandingSchema,
      { reference: referenceId },
      { orderBy: { createdAt: 'desc' } },
    );
    if (!latest) return null;
    const rows = await em.find(ReferenceUnderstandingSchema, { reference: referenceId, run: latest.run });
    return rows.reduce((sum, r) => sum + Number(r.level), 0) / rows.length;
  }

  private async baseImage(
    organizationId: string,
    project: { id: string; width: number; height: number },
    baseRunId: string,
  ) {
    const base = await this.getRun(organizationId, baseRunId);
    if (
      base.project.id !== project.id ||
      base.status !== 'SUCCEEDED' ||
      !base.resultImageKey ||
      base.resultWidth !== project.width ||
      base.resultHeight !== project.height
    ) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        'baseRunId must be a succeeded run of this project at its current canvas size',
        {
          field: 'baseRunId',
        },
      );
    }
    return { runId: base.id, imageKey: base.resultImageKey };
  }

  /** Safe to repeat: the job id is the run id. A failure here is repaired by the worker's queued-run sweep. */
  async enqueue(run: Pick<Run, 'id' | 'parameters'>): Promise<void> {
    const params = run.parameters as unknown as RunParameters;
    // One pass with regional conditioning needs no per-region children: the parent does the whole canvas.
    const regionIds = params.regionalConditioning ? [] : params.regions.map((r) => r.id);
    try {
      if (params.understand) await this.queues.enqueue(understandReferenceJob, { runId: run.id }, run.id);
      // A REFINE run from an earlier image starts at its baseline analysis; otherwise it first generates one.
      else if (params.refine && params.base) await this.queues.enqueueRefinementIteration(run.id, 0, []);
      else await this.queues.enqueueRun(run.id, regionIds);
    } catch (error) {
      this.logger.error({ err: error, runId: run.id }, 'enqueue failed; the sweep will retry');
    }
  }

  async cancelRun(organizationId: string, id: string): Promise<Run> {
    const run = await this.getRun(organizationId, id);
    const event = await this.eventLog.transition(run.id, {
      from: ['QUEUED', 'RUNNING'],
      to: 'CANCELLED',
      type: 'CANCELLED',
      payload: { reason: 'cancelled by request' },
    });
    if (!event) {
      const current = await this.getRun(organizationId, id);
      throw new PakatiError('RUN_NOT_CANCELLABLE', `run is already ${current.status}`, {
        status: current.status,
      });
    }
    for (const queue of [composeRunJob.queue, understandReferenceJob.queue]) {
      await this.queues.removeIfWaiting(queue, run.id).catch(() => false);
    }
    // Refinement jobs still waiting find the run CANCELLED when they start and do nothing.
    // Only the worker holding this run acts on it; everyone else ignores the message.
    await this.pubsub.publish('run-cancel', 'all', { runId: run.id }).catch((err: unknown) => {
      this.logger.warn(
        { err, runId: run.id },
        'cancel broadcast failed; the worker will notice at its next step',
      );
    });
    return this.getRun(organizationId, id);
  }
}
