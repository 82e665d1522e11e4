import { graphql } from './graphql';

/** Trades the API key for a signed session token, which is all the session cookie ever holds. */
export const CreateWebSessionMutation = graphql(`
  mutation CreateWebSession {
    createWebSession(input: {}) { token expiresAt }
  }
`);
