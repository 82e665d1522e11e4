/** The GraphQL the region editor sends, typed from the committed SDL. */
import { graphql } from '../graphql';

export const RegionFieldsFragment = graphql(`
  fragment EditorRegion on Region {
    id
    points { x y }
    prompt
    negativePrompt
    model
    seed
    feather
    zOrder
  }
`);

export const EditorProjectQuery = graphql(
  `
  query EditorProject($id: ID!) {
    project(id: $id) {
      id
      width
      height
      regions { ...EditorRegion }
      runs(first: 25) {
        edges { node { id kind status imageUrl } }
      }
    }
    models { name available }
  }
`,
  [RegionFieldsFragment],
);

export const AddRegionMutation = graphql(
  `
  mutation EditorAddRegion($input: AddRegionInput!) {
    addRegion(input: $input) { region { ...EditorRegion } }
  }
`,
  [RegionFieldsFragment],
);

export const UpdateRegionMutation = graphql(
  `
  mutation EditorUpdateRegion($input: UpdateRegionInput!) {
    updateRegion(input: $input) { region { ...EditorRegion } }
  }
`,
  [RegionFieldsFragment],
);

export const RemoveRegionMutation = graphql(`
  mutation EditorRemoveRegion($input: RemoveRegionInput!) {
    removeRegion(input: $input) { removedRegionId }
  }
`);
