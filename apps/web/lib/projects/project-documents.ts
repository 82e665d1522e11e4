import { graphql } from '../graphql';

export const ProjectSummaryFields = graphql(`
  fragment ProjectSummaryFields on Project {
    id
    name
    width
    height
    createdAt
  }
`);

export const ProjectsPageQuery = graphql(
  `
  query ProjectsPage($first: Int!, $after: String) {
    projects(first: $first, after: $after) {
      edges { node { ...ProjectSummaryFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [ProjectSummaryFields],
);

export const ProjectHeaderQuery = graphql(
  `
  query ProjectHeader($id: ID!) {
    project(id: $id) { ...ProjectSummaryFields }
  }
`,
  [ProjectSummaryFields],
);

export const CreateProjectMutation = graphql(
  `
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { project { ...ProjectSummaryFields } }
  }
`,
  [ProjectSummaryFields],
);

export const RenameProjectMutation = graphql(
  `
  mutation RenameProject($input: UpdateProjectInput!) {
    updateProject(input: $input) { project { ...ProjectSummaryFields } }
  }
`,
  [ProjectSummaryFields],
);

export const DeleteProjectMutation = graphql(`
  mutation DeleteProject($input: DeleteProjectInput!) {
    deleteProject(input: $input) { deletedProjectId }
  }
`);
