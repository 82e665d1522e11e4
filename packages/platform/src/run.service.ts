import { randomInt, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { backendDevice } from '@pakati/backends/config';
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
  OrganizationSchema,
  type OrganizationTier,
  type Orm,
  ProjectSchema,
  ReferenceSchema,
  ReferenceUnderstandingSchema,
  RegionSchema,
  type Run,
  type RunFailure,
  RunFailureSchema,
  type RunKind,
  RunSchema,
} from '@pakati/db';
import { type JobQueues, RUN_PRIORITY, type RunFlow, understandReferenceJob } from '@pakati/jobs';
import { keysetQuery, type PageQuery } from './keyset-page.ts';
import type { Logger } from './logger.ts';
import { checkBackend, isUuid } from './project.service.ts';
import type { QueueStatsService } from './queue-stats.service.ts';
import type { QuotaService } from './quota.service.ts';
import type { RedisPubSub } from './redis-pubsub.ts';
import type { RunEventLog } from './run-event-log.ts';
import type { WorkflowService, WorkflowSnapshot } from './workflow.service.ts';

export interface StartRunInput {
  projectId: string;
  kind: RunKind;
  seed?: number | null;
  idempotencyKey?: string | null;
  /** 1..10, higher runs sooner; omitted, the organization tier's default. */
  priority?: number | null;
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
  /** WORKFLOW runs: the saved workflow to execute. */
  workflowId?: string | null;
}

export const MAX_BATCH_RUNS = 1000;

type QueueableRun = Pick<Run, 'id' | 'parameters' | 'priority'>;

/** What may differ between the runs of one batch; anything else is shared (see `StartRunsInput`). */
export interface RunVariant {
  seed?: number | null;
  backend?: string | null;
  enhancePrompts?: boolean | null;
  strategy?: RefinementStrategy | null;
  maxIterations?: number | null;
  targetScore?: number | null;
}

/** A batch start: the options of `startRun` for all, and exactly one of `seeds`, `count` or `variants`. */
export interface StartRunsInput extends Omit<StartRunInput, 'seed'> {
  seeds?: number[] | null;
  count?: number | null;
  variants?: RunVariant[] | null;
}

export interface Batch {
  batchId: string;
  runs: Run[];
}

function idempotencyKeyOf(raw: string | null | undefined): string | null {
  const key = raw?.trim() || null;
  if (key !== null && key.length > 200) {
    throw new PakatiError('BAD_USER_INPUT', 'idempotencyKey is longer than 200 characters', {
      field: 'idempotencyKey',
    });
  }
  return key;
}

// Each run of a keyed batch stores its own key (the column is unique per organization); run 0's finds the batch.
const batchRunKey = (key: string, index: number) => `${key}#batch:${index}`;
const batchIndex = (run: Run, key: string) => Number(run.idempotencyKey?.slice(`${key}#batch:`.length));

function batchVariants(input: StartRunsInput): RunVariant[] {
  const given = [input.seeds, input.count, input.variants].filter((v) => v != null);
  if (given.length !== 1) {
    throw new PakatiError('BAD_USER_INPUT', 'give exactly one of seeds, count or variants', {
      field: 'seeds',
    });
  }
  const field = input.seeds ? 'seeds' : input.variants ? 'variants' : 'count';
  const size = input.seeds?.length ?? input.variants?.length ?? input.count ?? 0;
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_RUNS) {
    throw new PakatiError('BAD_USER_INPUT', `a batch has 1 to ${MAX_BATCH_RUNS} runs`, { field });
  }
  if (input.seeds) return input.seeds.map((seed) => ({ seed }));
  return input.variants ?? Array.from({ length: size }, () => ({}));
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
  workflow?: WorkflowSnapshot | null;
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

/**
 * Regions whose chosen backend (the region's own, else the run's) computes on the worker's own GPU: their steps
 * go to the GPU lane. A region left to the selector is generated by whichever generation worker takes it.
 */
export function gpuRegionIds(params: Pick<RunParameters, 'backend' | 'regions'>): string[] {
  return params.regions
    .filter((r) => {
      const chosen = r.model ?? params.backend;
      return chosen !== null && backendDevice(chosen) === 'local-gpu';
    })
    .map((r) => r.id);
}

export class RunService {
  constructor(
    private readonly orm: Orm,
    private readonly queues: JobQueues,
    private readonly eventLog: RunEventLog,
    private readonly pubsub: RedisPubSub,
    private readonly logger: Logger,
    private readonly enabledBackends: readonly string[],
    private readonly workflows: WorkflowService,
    private readonly queueStats: QueueStatsService,
    private readonly tierPriorities: Readonly<Record<OrganizationTier, number>>,
    private readonly quotas: QuotaService,
  ) {}

  async findRun(organizationId: string, id: string): Promise<Run | null> {
    if (!isUuid(id)) return null;
    return this.orm.em.fork().findOne(RunSchema, { id, organization: organizationId });
  }

  /** Which of these run ids belong to the organization (for views that must not reveal other tenants' runs). */
  async ownedRunIds(organizationId: string, ids: readonly string[]): Promise<Set<string>> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return new Set();
    const rows = await this.orm.em
      .fork()
      .find(RunSchema, { id: { $in: valid }, organization: organizationId }, { fields: ['id'] });
    return new Set(rows.map((r) => r.id));
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
    const key = idempotencyKeyOf(input.idempotencyKey);
    if (key) {
      const existing = await this.orm.em
        .fork()
        .findOne(RunSchema, { organization: organizationId, idempotencyKey: key });
      if (existing) return existing;
    }
    const seed = normalizeSeed(input.seed, () => randomInt(0, 2 ** 32 - 1));
    const priority = await this.priorityFor(organizationId, input.priority);
    const { project, parameters, workflow } = await this.prepare(organizationId, input);
    const em = this.orm.em.fork();
    let run: Run;
    let queued: Awaited<ReturnType<RunEventLog['append']>>;
    try {
      [run, queued] = await em.transactional(async (tx) => {
        await this.quotas.reserveRunSlots(tx, organizationId, 1);
        const created = tx.create(RunSchema, {
          organization: organizationId,
          project: project.id,
          kind: input.kind,
          status: 'QUEUED',
          seed,
          priority,
          parameters: parameters as unknown as Record<string, unknown>,
          idempotencyKey: key,
          workflow: workflow?.id ?? null,
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

  /**
   * N runs of one project in one call: one per seed, `count` with drawn seeds, or one per variant. One transaction
   * inserts them all (with their QUEUED events) and one Redis round trip enqueues them. Runs share a batch id; a
   * repeated call with the same idempotency key returns the same batch.
   */
  async startRuns(organizationId: string, input: StartRunsInput): Promise<Batch> {
    const key = idempotencyKeyOf(input.idempotencyKey);
    if (key) {
      const existing = await this.findBatch(organizationId, key);
      if (existing) return existing;
    }
    const variants = batchVariants(input);
    const priority = await this.priorityFor(organizationId, input.priority);
    const { project, parameters, workflow } = await this.prepare(organizationId, input);
    const planned = variants.map((v) => ({
      seed: normalizeSeed(v.seed, () => randomInt(0, 2 ** 32 - 1)),
      parameters: this.vary(parameters, v),
    }));
    const batchId = randomUUID();
    let created: Awaited<ReturnType<RunEventLog['append']>>[];
    let runs: Run[];
    try {
      [runs, created] = await this.orm.em.fork().transactional(async (tx) => {
        await this.quotas.reserveRunSlots(tx, organizationId, planned.length);
        const rows = planned.map((p, index) =>
          tx.create(RunSchema, {
            organization: organizationId,
            project: project.id,
            kind: input.kind,
            status: 'QUEUED',
            seed: p.seed,
            priority,
            batchId,
            parameters: p.parameters as unknown as Record<string, unknown>,
            idempotencyKey: key ? batchRunKey(key, index) : null,
            workflow: workflow?.id ?? null,
            lastEventSeq: 0,
          }),
        );
        const events = [];
        for (const row of rows) events.push(await this.eventLog.append(tx, row, 'QUEUED', {}, null));
        return [rows, events] as const;
      });
    } catch (error) {
      if (key && error instanceof UniqueConstraintViolationException) {
        const winner = await this.findBatch(organizationId, key);
        if (winner) return winner;
      }
      throw error;
    }
    for (const queued of created) await this.eventLog.committed(queued.record, queued.context);
    await this.enqueueAll(runs);
    return { batchId, runs };
  }

  private async findBatch(organizationId: string, key: string): Promise<Batch | null> {
    const em = this.orm.em.fork();
    const first = await em.findOne(RunSchema, {
      organization: organizationId,
      idempotencyKey: batchRunKey(key, 0),
    });
    if (!first?.batchId) return null;
    const runs = await em.find(RunSchema, { organization: organizationId, batchId: first.batchId });
    return { batchId: first.batchId, runs: runs.sort((x, y) => batchIndex(x, key) - batchIndex(y, key)) };
  }

  /** One variant of a batch: the shared parameters with its own backend, prompt enhancement and REFINE settings. */
  private vary(parameters: RunParameters, variant: RunVariant): RunParameters {
    const refine =
      parameters.refine && (variant.strategy || variant.maxIterations != null || variant.targetScore != null)
        ? {
            ...parameters.refine,
            settings: validateRefinementSettings({
              ...parameters.refine.settings,
              ...(variant.strategy ? { strategy: variant.strategy } : {}),
              ...(variant.maxIterations != null ? { maxIterations: variant.maxIterations } : {}),
              ...(variant.targetScore != null ? { targetScore: variant.targetScore } : {}),
            }),
          }
        : parameters.refine;
    return {
      ...parameters,
      backend:
        variant.backend != null
          ? checkBackend(variant.backend, this.enabledBackends, 'variants.backend')
          : parameters.backend,
      enhancePrompts: variant.enhancePrompts ?? parameters.enhancePrompts,
      refine,
    };
  }

  /** The asked priority, validated, or the default of the organization's tier. */
  private async priorityFor(organizationId: string, asked: number | null | undefined): Promise<number> {
    if (asked != null) {
      if (!Number.isInteger(asked) || asked < RUN_PRIORITY.min || asked > RUN_PRIORITY.max) {
        throw new PakatiError(
          'BAD_USER_INPUT',
          `priority must be an integer from ${RUN_PRIORITY.min} to ${RUN_PRIORITY.max}`,
          { field: 'priority' },
        );
      }
      return asked;
    }
    const org = await this.orm.em.fork().findOne(OrganizationSchema, organizationId, { fields: ['tier'] });
    return this.tierPriorities[(org?.tier ?? 'STARTER') as OrganizationTier];
  }

  /** Oldest first: every failed attempt of every job of the run. */
  async failures(runId: string): Promise<RunFailure[]> {
    return this.orm.em.fork().find(RunFailureSchema, { run: runId }, { orderBy: { createdAt: 'asc' } });
  }

  /** Everything a run needs is checked and frozen here, before anything is stored or queued. */
  private async prepare(organizationId: string, input: StartRunInput) {
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
    if (input.kind === 'WORKFLOW' && !input.workflowId) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        'a WORKFLOW run is started with startWorkflow (it needs a workflowId)',
        {
          field: 'kind',
        },
      );
    }
    const workflow =
      input.kind === 'WORKFLOW' && input.workflowId
        ? await this.workflows.snapshot(organizationId, input.workflowId, project)
        : null;
    // Refine and analyze steps measure against the references, frozen at start like a REFINE run's.
    const needsReferences =
      input.kind === 'REFINE' ||
      (workflow?.definition.steps.some((s) => s.kind === 'refine' || s.kind === 'analyze') ?? false);
    const parameters: RunParameters = {
      backend: checkBackend(input.backend, this.enabledBackends, 'backend'),
      base,
      enhancePrompts: input.enhancePrompts ?? false,
      regionalConditioning: input.regionalConditioning ?? false,
      understand: input.kind === 'UNDERSTAND' ? await this.understanding(project, input) : null,
      refine: needsReferences ? await this.refinement(project, regions, input) : null,
      workflow,
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
    return { project, parameters, workflow };
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

  /** Safe to repeat: job ids derive from the run id. A failure here is repaired by the worker's queued-run sweep. */
  async enqueue(run: QueueableRun): Promise<void> {
    await this.enqueueAll([run]);
  }

  /** Every job carries the run's priority; plain generation flows of many runs go to Redis in one round trip. */
  private async enqueueAll(runs: readonly QueueableRun[]): Promise<void> {
    const flows: RunFlow[] = [];
    for (const run of runs) {
      const params = run.parameters as unknown as RunParameters;
      const { priority } = run;
      // One pass with regional conditioning needs no per-region children: the parent does the whole canvas.
      const regionIds = params.regionalConditioning ? [] : params.regions.map((r) => r.id);
      try {
        if (params.understand) {
          await this.queues.enqueue(understandReferenceJob, { runId: run.id }, run.id, priority);
        } else if (params.workflow) {
          const kinds = new Map(params.workflow.definition.steps.map((s) => [s.id, s.kind]));
          const first = params.workflow.levels[0]!.map((stepId) => ({ stepId, kind: kinds.get(stepId)! }));
          await this.queues.enqueueWorkflowLevel(run.id, 0, first, priority);
        }
        // A REFINE run from an earlier image starts at its baseline analysis; otherwise it first generates one.
        else if (params.refine && params.base) {
          await this.queues.enqueueRefinementIteration(run.id, 0, [], [], priority);
        } else flows.push({ runId: run.id, regionIds, gpuRegionIds: gpuRegionIds(params), priority });
      } catch (error) {
        this.logger.error({ err: error, runId: run.id }, 'enqueue failed; the sweep will retry');
      }
    }
    if (flows.length === 0) return;
    await this.queues.enqueueRuns(flows).catch((error: unknown) => {
      this.logger.error(
        { err: error, runIds: flows.map((f) => f.runId) },
        'enqueue failed; the sweep will retry',
      );
    });
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
    await this.removePendingJobs(run.id);
    // Jobs a worker holds are stopped through their AbortSignal: only that worker acts on the message.
    await this.pubsub.publish('run-cancel', 'all', { runId: run.id }).catch((err: unknown) => {
      this.logger.warn(
        { err, runId: run.id },
        'cancel broadcast failed; the worker will notice at its next step',
      );
    });
    return this.getRun(organizationId, id);
  }

  /**
   * Every job of the run that no worker holds leaves the queues, so it takes no place ahead of other runs; a flow
   * parent takes its waiting children with it. Whatever is missed finds the run CANCELLED when it starts.
   */
  private async removePendingJobs(runId: string): Promise<void> {
    try {
      for (const job of await this.queueStats.pendingJobs(runId)) {
        // 0 when a descendant is held by a worker; the waiting ones come up on their own in this loop.
        await this.queues.queue(job.queue).remove(job.id, { removeChildren: true });
      }
    } catch (err) {
      this.logger.warn({ err, runId }, 'removing the waiting jobs of a cancelled run failed');
    }
  }
}
