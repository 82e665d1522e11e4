import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './schema.ts';

/** The contract third parties code against; committed as schema.graphql and checked for drift by a test. */
export const printSdl = () => `${printSchema(lexicographicSortSchema(schema))}\n`;
