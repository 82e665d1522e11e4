import { DEFAULT_RULE_TEXT, PakatiError, parseRuleSet } from '@pakati/core';
import { type Orm, ProjectSchema, RuleSetSchema } from '@pakati/db';
import { isUuid } from './project.service.ts';

export interface EffectiveRuleSet {
  text: string;
  source: 'default' | 'organization' | 'project';
  version: number;
  updatedAt: Date | null;
}

/**
 * Fuzzy rules as data: a project's own set, else its organization's, else the shipped default. A set is parsed
 * and validated before it is stored, so a broken set never replaces a working one.
 */
export class RuleSetService {
  constructor(private readonly orm: Orm) {}

  private async ownedProject(organizationId: string, projectId: string | null | undefined) {
    if (!projectId) return null;
    const project = isUuid(projectId)
      ? await this.orm.em.fork().findOne(ProjectSchema, { id: projectId, organization: organizationId })
      : null;
    if (!project) throw new PakatiError('NOT_FOUND', 'project not found');
    return project;
  }

  async effective(organizationId: string, projectId?: string | null): Promise<EffectiveRuleSet> {
    const project = await this.ownedProject(organizationId, projectId);
    const em = this.orm.em.fork();
    const own = project ? await em.findOne(RuleSetSchema, { organization: organizationId, project }) : null;
    const org = own ?? (await em.findOne(RuleSetSchema, { organization: organizationId, project: null }));
    if (!org) return { text: DEFAULT_RULE_TEXT, source: 'default', version: 0, updatedAt: null };
    return {
      text: org.text,
      source: own ? 'project' : 'organization',
      version: org.version,
      updatedAt: org.updatedAt,
    };
  }

  async update(
    organizationId: string,
    input: { projectId?: string | null; text: string },
  ): Promise<EffectiveRuleSet> {
    const project = await this.ownedProject(organizationId, input.projectId);
    parseRuleSet(input.text); // throws INVALID_RULES naming the line and column; nothing is written then
    const em = this.orm.em.fork();
    await em.transactional(async (tx) => {
      const existing = await tx.findOne(RuleSetSchema, {
        organization: organizationId,
        project: project ?? null,
      });
      if (existing) {
        existing.text = input.text;
        existing.version += 1;
      } else {
        tx.create(RuleSetSchema, { organization: organizationId, project, text: input.text });
      }
    });
    return this.effective(organizationId, input.projectId);
  }

  async reset(organizationId: string, projectId?: string | null): Promise<EffectiveRuleSet> {
    const project = await this.ownedProject(organizationId, projectId);
    await this.orm.em
      .fork()
      .nativeDelete(RuleSetSchema, { organization: organizationId, project: project ?? null });
    return this.effective(organizationId, projectId);
  }
}
