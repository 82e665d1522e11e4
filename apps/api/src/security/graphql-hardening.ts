import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Platform } from '@pakati/platform';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Messages graphql-armor gives a refused document; the error mask turns them into QUERY_TOO_COMPLEX. */
export const ARMOR_REJECTION = /^Syntax Error: (Query depth|Aliases|Directives|Query Cost|Token) limit of /;

/**
 * Limits on what one document may ask for (depth, cost, aliases, directives, tokens), field suggestions off
 * outside development (they reveal the schema), and introspection only where the configuration allows it.
 */
export function graphqlHardening(platform: Platform): Plugin[] {
  const { graphql, env } = platform.config;
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: graphql.maxDepth, exposeLimits: true, flattenFragments: true },
      maxAliases: { n: graphql.maxAliases, exposeLimits: true },
      maxDirectives: { n: graphql.maxDirectives, exposeLimits: true },
      maxTokens: { n: graphql.maxTokens, exposeLimits: true },
      costLimit: { maxCost: graphql.maxCost, exposeLimits: true },
      blockFieldSuggestion: { enabled: env !== 'development' },
    }) as Plugin,
  ];
  if (!graphql.introspection) {
    plugins.push({
      onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule),
    });
  }
  return plugins;
}
