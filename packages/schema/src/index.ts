export type { GraphQLContext } from './builder.ts';
export { schema } from './schema.ts';
