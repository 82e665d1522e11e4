import { graphql } from './graphql';

/** Who the key belongs to: sign-in checks a key with it, the shell shows the organization. */
export const ViewerQuery = graphql(`
  query Viewer {
    viewer { organization { id name } }
  }
`);
