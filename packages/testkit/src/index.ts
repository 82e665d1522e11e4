export { collect, type GraphQLResponse, httpClient, wsClient } from './graphql-clients.ts';
export { createTestDatabase } from './test-database.ts';
export { createTenant, createTestEnvironment, type TestEnvironment } from './test-platform.ts';
