import { gqlRequest } from '../api';
import { type ResultOf, readFragment } from '../graphql';
import {
  ResetRuleSetMutation,
  RuleProjectsQuery,
  RuleSetFields,
  RuleSetQuery,
  UpdateRuleSetMutation,
} from './rules-documents';

export type RuleSet = ResultOf<typeof RuleSetFields>;
export interface RuleProject {
  id: string;
  name: string;
}

/**
 * Everything the rules settings ask of the API; `projectId` null means the organization-wide set.
 * The component takes it as a prop (defaulting to {@link graphqlRulesApi}) so tests can script the server.
 */
export interface RulesApi {
  ruleSet(projectId: string | null): Promise<RuleSet>;
  projects(): Promise<RuleProject[]>;
  update(projectId: string | null, text: string): Promise<RuleSet>;
  reset(projectId: string | null): Promise<RuleSet>;
}

/** The picker lists this many of the newest projects. */
const PROJECTS_SHOWN = 100;

export const graphqlRulesApi: RulesApi = {
  async ruleSet(projectId) {
    return readFragment(RuleSetFields, (await gqlRequest(RuleSetQuery, { projectId })).ruleSet);
  },
  async projects() {
    const data = await gqlRequest(RuleProjectsQuery, { first: PROJECTS_SHOWN });
    return data.projects.edges.map((edge) => edge.node);
  },
  async update(projectId, text) {
    const data = await gqlRequest(UpdateRuleSetMutation, { input: { projectId, text } });
    return readFragment(RuleSetFields, data.updateRuleSet.ruleSet);
  },
  async reset(projectId) {
    const data = await gqlRequest(ResetRuleSetMutation, { input: { projectId } });
    return readFragment(RuleSetFields, data.resetRuleSet.ruleSet);
  },
};
