import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env';

const tada = initGraphQLTada<{
  introspection: introspection;
  scalars: {
    DateTime: string;
    Upload: File;
  };
}>();

type TadaDocument = ReturnType<typeof tada>;

/**
 * The source text of every document made by {@link graphql}, with the documents of the fragments it
 * embeds. gql.tada keeps only the parsed AST, and the app sends GraphQL over the wire as text; keeping
 * the source avoids shipping a printer to the browser.
 */
const sources = new WeakMap<object, { text: string; fragments: readonly object[] }>();

/**
 * gql.tada's own directives (`@_unmask`, `@_optional`, `@_required`) shape the TypeScript types only;
 * the API does not know them and rejects a document that carries one.
 */
const CLIENT_ONLY_DIRECTIVE = /\s*@_(?:unmask|optional|required)\b/g;

/**
 * `graphql(...)` documents typed from the committed SDL (packages/schema/schema.graphql) through the
 * introspection in graphql-env.d.ts, which `pnpm --filter @pakati/web gql:write` regenerates.
 */
export const graphql = Object.assign(
  (text: string, fragments?: readonly TadaDocument[]) => {
    const document = tada(text, fragments as never);
    sources.set(document, { text: text.replace(CLIENT_ONLY_DIRECTIVE, ''), fragments: fragments ?? [] });
    return document;
  },
  { scalar: tada.scalar, persisted: tada.persisted },
) as unknown as typeof tada;

/**
 * The query text to send for a document: its own source followed by each fragment it depends on
 * (directly or through other fragments) exactly once, as GraphQL forbids repeated fragment names.
 */
export function documentText(document: object): string {
  const seen = new Set<object>();
  const parts: string[] = [];
  const visit = (doc: object) => {
    if (seen.has(doc)) return;
    seen.add(doc);
    const entry = sources.get(doc);
    if (!entry) throw new TypeError('Only documents created with graphql() from lib/graphql can be sent.');
    parts.push(entry.text.trim());
    for (const fragment of entry.fragments) visit(fragment);
  };
  visit(document);
  return parts.join('\n\n');
}

export type { FragmentOf, ResultOf, TadaDocumentNode, VariablesOf } from 'gql.tada';
export { readFragment } from 'gql.tada';
