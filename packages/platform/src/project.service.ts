import {
  assertRegionCount,
  type CanvasLimits,
  normalizeSeed,
  PakatiError,
  type Point,
  validateCanvasSize,
  validatePolygon,
} from '@pakati/core';
import {
  type Orm,
  type Project,
  ProjectSchema,
  type Region,
  RegionSchema,
  RunSchema,
  TERMINAL_RUN_STATUSES,
} from '@pakati/db';
import { keysetQuery, type PageQuery } from './keyset-page.ts';

export interface RegionInput {
  points: Point[];
  prompt: string;
  negativePrompt?: string | null;
  model?: string | null;
  seed?: number | null;
  zOrder?: number | null;
  feather?: number | null;
}

/** For updates: absent or null leaves a field as it is, except the nullable ones, where null clears it. */
export type RegionPatch = { [K in keyof RegionInput]?: RegionInput[K] | null };

const MAX_PROMPT = 4000;
const MAX_NAME = 200;
// C0 and C1 controls except tab and line breaks, and the bidirectional overrides that disguise text.
const LONE_SURROGATE = /\p{Cs}/u;
const CONTROL_CHARACTERS = /(?![\t\n\r])[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

function checkText(
  field: string,
  value: string | null | undefined,
  required: boolean,
  max = MAX_PROMPT,
): string | null {
  const text = value?.trim() ?? '';
  if (required && text.length === 0)
    throw new PakatiError('BAD_USER_INPUT', `${field} must not be empty`, { field });
  if (text.length > max) {
    throw new PakatiError('BAD_USER_INPUT', `${field} is longer than ${max} characters`, { field });
  }
  // Control characters and lone surrogates reach model providers' logs and terminals; no prompt needs them.
  if (CONTROL_CHARACTERS.test(text) || LONE_SURROGATE.test(text)) {
    throw new PakatiError('BAD_USER_INPUT', `${field} contains control characters`, {
      field,
      reason: 'CONTROL_CHARACTERS',
    });
  }
  return text.length > 0 ? text : null;
}

function checkInt(
  field: string,
  value: number | null | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === null || value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PakatiError('BAD_USER_INPUT', `${field} must be an integer in [${min}, ${max}]`, { field });
  }
  return value;
}

/** A region or run may name its backend; null leaves the choice to the selector. */
export function checkBackend(
  name: string | null | undefined,
  enabled: readonly string[],
  field = 'model',
): string | null {
  if (name === null || name === undefined || name === '') return null;
  if (!enabled.includes(name)) {
    throw new PakatiError(
      'BAD_USER_INPUT',
      `unknown or disabled backend "${name}"; enabled: ${enabled.join(', ')}`,
      {
        field,
      },
    );
  }
  return name;
}

/** Projects and their regions, always scoped to one organization: another tenant's ids are NOT_FOUND. */
export class ProjectService {
  constructor(
    private readonly orm: Orm,
    private readonly canvasLimits: CanvasLimits,
    private readonly enabledBackends: readonly string[],
  ) {}

  /** `withinQuota` sees only a canvas the server accepts at all, so the precise CANVAS_TOO_LARGE comes first. */
  async createProject(
    organizationId: string,
    input: { name: string; width: number; height: number },
    withinQuota: (width: number, height: number) => void = () => {},
  ) {
    const name = checkText('name', input.name, true, MAX_NAME)!;
    validateCanvasSize({ width: input.width, height: input.height }, this.canvasLimits);
    withinQuota(input.width, input.height);
    const em = this.orm.em.fork();
    const project = em.create(ProjectSchema, {
      organization: organizationId,
      name,
      width: input.width,
      height: input.height,
    });
    await em.flush();
    return project;
  }

  async findProject(organizationId: string, id: string): Promise<Project | null> {
    if (!isUuid(id)) return null;
    return this.orm.em.fork().findOne(ProjectSchema, { id, organization: organizationId });
  }

  async getProject(organizationId: string, id: string): Promise<Project> {
    const project = await this.findProject(organizationId, id);
    if (!project) throw new PakatiError('NOT_FOUND', 'project not found');
    return project;
  }

  async listProjects(organizationId: string, page: PageQuery): Promise<Project[]> {
    const { where, options } = keysetQuery(page);
    // biome-ignore lint/suspicious/noExplicitAny: MikroORM's FilterQuery cannot type a composed keyset condition
    return this.orm.em.fork().find(ProjectSchema, { organization: organizationId, ...where } as any, options);
  }

  async renameProject(organizationId: string, id: string, name: string): Promise<Project> {
    const em = this.orm.em.fork();
    const project = isUuid(id) ? await em.findOne(ProjectSchema, { id, organization: organizationId }) : null;
    if (!project) throw new PakatiError('NOT_FOUND', 'project not found');
    project.name = checkText('name', name, true, MAX_NAME)!;
    await em.flush();
    return project;
  }

  /**
   * Deletes a project with its regions, references and runs (the database cascades). Refused while a
   * run is still queued or running, so no worker writes into a project that is gone.
   */
  async deleteProject(organizationId: string, id: string): Promise<void> {
    const em = this.orm.em.fork();
    const project = isUuid(id) ? await em.findOne(ProjectSchema, { id, organization: organizationId }) : null;
    if (!project) throw new PakatiError('NOT_FOUND', 'project not found');
    const active = await em.count(RunSchema, {
      project,
      status: { $nin: [...TERMINAL_RUN_STATUSES] },
    });
    if (active > 0) {
      throw new PakatiError(
        'PRECONDITION_FAILED',
        `project has ${active} queued or running run(s); cancel them before deleting it`,
        { activeRuns: active },
      );
    }
    await em.nativeDelete(ProjectSchema, { id: project.id, organization: organizationId });
  }

  async listRegions(projectId: string): Promise<Region[]> {
    return this.orm.em
      .fork()
      .find(RegionSchema, { project: projectId }, { orderBy: { zOrder: 'asc', createdAt: 'asc' } });
  }

  async findRegion(organizationId: string, id: string): Promise<Region | null> {
    if (!isUuid(id)) return null;
    return this.orm.em
      .fork()
      .findOne(RegionSchema, { id, project: { organization: organizationId } }, { populate: ['project'] });
  }

  async addRegion(organizationId: string, projectId: string, input: RegionInput): Promise<Region> {
    const em = this.orm.em.fork();
    const project = await em.findOne(ProjectSchema, {
      id: isUuid(projectId) ? projectId : '',
      organization: organizationId,
    });
    if (!project) throw new PakatiError('NOT_FOUND', 'project not found');
    const points = validatePolygon(input.points, project, undefined);
    const count = await em.count(RegionSchema, { project });
    assertRegionCount(count + 1, this.canvasLimits);
    const region = em.create(RegionSchema, {
      project,
      points,
      prompt: checkText('prompt', input.prompt, true)!,
      negativePrompt: checkText('negativePrompt', input.negativePrompt, false),
      model: checkBackend(input.model, this.enabledBackends),
      seed: input.seed === null || input.seed === undefined ? null : normalizeSeed(input.seed, () => 0),
      zOrder: checkInt('zOrder', input.zOrder, -1000, 1000, count),
      feather: checkInt('feather', input.feather, 0, 256, 8),
    });
    await em.flush();
    return region;
  }

  async updateRegion(organizationId: string, regionId: string, patch: RegionPatch): Promise<Region> {
    const em = this.orm.em.fork();
    const region = isUuid(regionId)
      ? await em.findOne(
          RegionSchema,
          { id: regionId, project: { organization: organizationId } },
          { populate: ['project'] },
        )
      : null;
    if (!region) throw new PakatiError('NOT_FOUND', 'region not found');
    if (patch.points !== undefined && patch.points !== null)
      region.points = validatePolygon(patch.points, region.project);
    if (patch.prompt !== undefined && patch.prompt !== null)
      region.prompt = checkText('prompt', patch.prompt, true)!;
    if (patch.negativePrompt !== undefined)
      region.negativePrompt = checkText('negativePrompt', patch.negativePrompt, false);
    if (patch.model !== undefined) region.model = checkBackend(patch.model, this.enabledBackends);
    if (patch.seed !== undefined)
      region.seed = patch.seed === null ? null : normalizeSeed(patch.seed, () => 0);
    if (patch.zOrder !== undefined && patch.zOrder !== null)
      region.zOrder = checkInt('zOrder', patch.zOrder, -1000, 1000, 0);
    if (patch.feather !== undefined && patch.feather !== null)
      region.feather = checkInt('feather', patch.feather, 0, 256, 8);
    await em.flush();
    return region;
  }

  async removeRegion(organizationId: string, regionId: string): Promise<string> {
    const em = this.orm.em.fork();
    const region = isUuid(regionId)
      ? await em.findOne(RegionSchema, { id: regionId, project: { organization: organizationId } })
      : null;
    if (!region) throw new PakatiError('NOT_FOUND', 'region not found');
    await em.remove(region).flush();
    return regionId;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);
