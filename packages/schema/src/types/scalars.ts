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
  // graphql-yoga hands over its own File implementation, not always the global class: check the shape.
  parseValue: (value) => {
    const file = value as File | null;
    if (typeof file?.arrayBuffer !== 'function' || typeof file.size !== 'number') {
      throw new GraphQLError('expected a file upload');
    }
    return file;
  },
});
