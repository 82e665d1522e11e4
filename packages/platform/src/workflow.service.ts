import { UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  PakatiError,
  parseWorkflow,
  type WorkflowDefinition,
  workflowImageSizes,
  workflowLevels,
} from '@pakati/core';
import { type Orm, ProjectSchema, RegionSchema, type Workflow, WorkflowSchema } from '@pakati/db';
import { keysetQuery, type PageQuery } from './keyset-page.ts';
import { isUuid } from './project.service.ts';

/** What a WORKFLOW run executes: the definition frozen at start, with its levels (steps that run in parallel). */
export interface WorkflowSnapshot {
  id: string;
  name: string;
  definition: WorkflowDefinition;
  levels: string[][];
}

export interface CanvasLimits {
  maxWidth: number;
  maxHeight: number;
}

/**
 * Saved, validated DAGs of steps per project. A definition is parsed and checked (kinds, parameters, dependencies,
 * cycles, output) before it is stored, so a stored workflow always runs or fails for a reason outside it.
 */
export class WorkflowService {
  constructor(
    private readonly orm: Orm,
    private readonly limits: CanvasLimits,
  ) {}

  private async project(organizationId: string, projectId: string) {
    const project = isUuid(projectId)
      ? await this.orm.em.fork().findOne(ProjectSchema, { id: projectId, organization: organizationId })
      : null;
    if (!project) throw new PakatiError('NOT_FOUND', 'project not found');
    return project;
  }

  async find(organizationId: string, id: string): Promise<Workflow | null> {
    if (!isUuid(id)) return null;
    return this.orm.em.fork().findOne(WorkflowSchema, { id, organization: organizationId });
  }

  async get(organizationId: string, id: string): Promise<Workflow> {
    const workflow = await this.find(organizationId, id);
    if (!workflow) throw new PakatiError('NOT_FOUND', 'workflow not found');
    return workflow;
  }

  async list(projectId: string, page: PageQuery): Promise<Workflow[]> {
    const { where, options } = keysetQuery(page);
    // biome-ignore lint/suspicious/noExplicitAny: MikroORM's FilterQuery cannot type a composed keyset condition
    return this.orm.em.fork().find(WorkflowSchema, { project: projectId, ...where } as any, options);
  }

  /** Creates the project's workflow of that name, or replaces its definition. */
  async save(
    organizationId: string,
    input: { projectId: string; name: string; definition: unknown },
  ): Promise<Workflow> {
    const project = await this.project(organizationId, input.projectId);
    const name = input.name.trim();
    if (!name || name.length > 120) {
      throw new PakatiError('BAD_USER_INPUT', 'a workflow name is 1-120 characters', { field: 'name' });
    }
    const definition = parseWorkflow(input.definition);
    this.checkSizes(definition, project);
    const em = this.orm.em.fork();
    const existing = await em.findOne(WorkflowSchema, { project, name });
    if (existing) {
      existing.definition = definition as unknown as Record<string, unknown>;
      await em.flush();
      return existing;
    }
    const created = em.create(WorkflowSchema, {
      organization: organizationId,
      project,
      name,
      definition: definition as unknown as Record<string, unknown>,
    });
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) return this.save(organizationId, input);
      throw error;
    }
    return created;
  }

  async delete(organizationId: string, id: string): Promise<string> {
    const workflow = await this.get(organizationId, id);
    await this.orm.em.fork().nativeDelete(WorkflowSchema, { id: workflow.id });
    return workflow.id;
  }

  /**
   * Everything a WORKFLOW run needs, checked against the project as it is now: the regions the steps name still
   * exist and no step's image outgrows the canvas limits.
   */
  async snapshot(
    organizationId: string,
    workflowId: string,
    project: { id: string; width: number; height: number },
  ): Promise<WorkflowSnapshot> {
    const workflow = await this.get(organizationId, workflowId);
    if (workflow.project.id !== project.id) {
      throw new PakatiError('BAD_USER_INPUT', 'the workflow belongs to another project', {
        field: 'workflowId',
      });
    }
    const definition = parseWorkflow(workflow.definition);
    this.checkSizes(definition, project);
    const regionIds = new Set(
      (await this.orm.em.fork().find(RegionSchema, { project: project.id }, { fields: ['id'] })).map(
        (r) => r.id,
      ),
    );
    for (const step of definition.steps) {
      const missing = 'regionIds' in step ? step.regionIds?.find((id) => !regionIds.has(id)) : undefined;
      if (missing) {
        throw new PakatiError(
          'INVALID_WORKFLOW',
          `step "${step.id}" names region ${missing}, which is not in the project`,
          {
            reason: 'UNKNOWN_REGION',
            step: step.id,
          },
        );
      }
    }
    return { id: workflow.id, name: workflow.name, definition, levels: workflowLevels(definition) };
  }

  private checkSizes(definition: WorkflowDefinition, canvas: { width: number; height: number }) {
    for (const [stepId, size] of workflowImageSizes(definition, canvas)) {
      if (size.width > this.limits.maxWidth || size.height > this.limits.maxHeight) {
        throw new PakatiError(
          'CANVAS_TOO_LARGE',
          `step "${stepId}" would make a ${size.width}x${size.height} image; the limit is ${this.limits.maxWidth}x${this.limits.maxHeight}`,
          { step: stepId },
        );
      }
    }
  }
}
