import { GraphQLError, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';

// NUL cannot be stored in PostgreSQL text at all, and a lone surrogate is not Unicode: either would reach the
// database as an opaque driver error, so both are refused for every argument of every operation up front.
const LONE_SURROGATE = /\p{Cs}/u;
const unstorable = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);

function findUnstorable(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return unstorable(value) ? path : null;
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  if (typeof (value as { arrayBuffer?: unknown }).arrayBuffer === 'function') return null; // an upload
  for (const [key, item] of Object.entries(value)) {
    const found = findUnstorable(
      item,
      Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`,
      depth + 1,
    );
    if (found) return found;
  }
  return null;
}

export function unstorableStringGuard(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let where = findUnstorable(args.variableValues ?? {}, 'variables');
      if (!where) {
        visit(args.document, {
          [Kind.STRING]: (node) => {
            if (!where && unstorable(node.value)) where = 'a string in the document';
          },
        });
      }
      if (where) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(`${where} holds a NUL character or a lone surrogate, which cannot be stored`, {
              extensions: { code: 'BAD_USER_INPUT', reason: 'UNSTORABLE_CHARACTERS', field: where },
            }),
          ],
        });
      }
    },
  };
}
