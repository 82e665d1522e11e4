import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documentText } from '../lib/graphql';

// Every GraphQL document the app sends, checked against the committed contract the way the API checks it:
// gql.tada types catch wrong fields, but not what only the server refuses (a client-only directive that leaks
// into the text, two selections of one field name with different types).
const schema = buildSchema(
  readFileSync(fileURLToPath(new URL('../../../packages/schema/schema.graphql', import.meta.url)), 'utf8'),
);
const modules = import.meta.glob(['../lib/**/*.ts', '!../lib/**/*.d.ts'], { eager: true });

const isDocument = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Document';

const documents = Object.entries(modules).flatMap(([file, exports]) =>
  Object.entries(exports as Record<string, unknown>)
    .filter(([, value]) => isDocument(value))
    .map(([name, value]) => [`${file.replace('../lib/', '')} ${name}`, value as object] as const),
);
const operations = documents.filter(([, doc]) => !documentText(doc).trimStart().startsWith('fragment'));

describe('the web client GraphQL documents', () => {
  it('are found', () => {
    expect(operations.length).toBeGreaterThan(15);
  });

  it.each(operations)('%s is valid against the committed schema', (_name, doc) => {
    const errors = validate(schema, parse(documentText(doc))).map((e) => e.message);
    expect(errors).toEqual([]);
  });
});
