import { graphql } from '../graphql';

export const RuleSetFields = graphql(`
  fragment RuleSetFields on RuleSet {
    text
    source
    version
    updatedAt
  }
`);

export const RuleSetQuery = graphql(
  `
  query RuleSet($projectId: ID) {
    ruleSet(projectId: $projectId) { ...RuleSetFields }
  }
`,
  [RuleSetFields],
);

/** The picker's choices: the newest projects, enough for a settings page. */
export const RuleProjectsQuery = graphql(`
  query RuleProjects($first: Int!) {
    projects(first: $first) { edges { node { id name } } }
  }
`);

export const UpdateRuleSetMutation = graphql(
  `
  mutation UpdateRuleSet($input: UpdateRuleSetInput!) {
    updateRuleSet(input: $input) { ruleSet { ...RuleSetFields } }
  }
`,
  [RuleSetFields],
);

export const ResetRuleSetMutation = graphql(
  `
  mutation ResetRuleSet($input: ResetRuleSetInput!) {
    resetRuleSet(input: $input) { ruleSet { ...RuleSetFields } }
  }
`,
  [RuleSetFields],
);
