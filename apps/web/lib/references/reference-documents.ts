/** The GraphQL the references panel sends, typed from the committed SDL. */
import { graphql } from '../graphql';

export const ReferenceFieldsFragment = graphql(`
  fragment PanelReference on Reference {
    id
    regionId
    description
    width
    height
    imageUrl(maxSide: 160)
    createdAt
    understanding { level understood assessedAt }
  }
`);

export const ProjectReferencesQuery = graphql(
  `
  query ProjectReferences($id: ID!) {
    project(id: $id) {
      id
      references { ...PanelReference }
    }
  }
`,
  [ReferenceFieldsFragment],
);

export const AddReferenceMutation = graphql(
  `
  mutation PanelAddReference($input: AddReferenceInput!) {
    addReference(input: $input) { reference { ...PanelReference } }
  }
`,
  [ReferenceFieldsFragment],
);

export const UnderstandReferenceMutation = graphql(`
  mutation PanelUnderstandReference($input: StartRunInput!) {
    startRun(input: $input) { run { id status } }
  }
`);

export const RemoveReferenceMutation = graphql(`
  mutation PanelRemoveReference($input: RemoveReferenceInput!) {
    removeReference(input: $input) { removedReferenceId }
  }
`);
