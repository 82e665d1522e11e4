import { GraphQLError } from 'graphql';
import { builder } from '../builder.ts';

builder.scalarType('DateTime', {
  description: 'An ISO-8601 instant in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('invalid DateTime');
    return date;
  },
});

// Filled by graphql-yoga from a multipart request (GraphQL multipart request spec).
builder.scalarType('Upload', {
  description: 'A file sent as part of a multipart request.',
  serialize: () => {
    throw new GraphQLError('Upload is an input-only scalar');
  },
  parseValue: (value) => {
    if (!(value instanceof File)) throw new GraphQLError('expected a file upload');
    return value;
  },
});
