import { PakatiError, type RasterImage } from '@pakati/core';
import {
  type ContentModerationOptions,
  createContentModerationAnalyzer,
  MODERATION,
} from './content-moderation.ts';
import {
  createObjectPresenceAnalyzer,
  OBJECT_PRESENCE,
  type ObjectPresenceOptions,
} from './object-presence-analyzer.ts';
import {
  createReferenceSimilarityAnalyzer,
  REFERENCE_SIMILARITY,
  type ReferenceSimilarityOptions,
} from './reference-similarity-analyzer.ts';
import type { SemanticAnalyzer, SemanticFinding, SemanticRegionInput } from './semantic-analyzer.ts';

export const SEMANTIC_ANALYZER_NAMES = [OBJECT_PRESENCE, REFERENCE_SIMILARITY, MODERATION] as const;
export type SemanticAnalyzerName = (typeof SEMANTIC_ANALYZER_NAMES)[number];

export interface SemanticAnalyzerOptions {
  objectPresence?: ObjectPresenceOptions;
  referenceSimilarity?: ReferenceSimilarityOptions;
  moderation?: ContentModerationOptions;
}

const FACTORIES: Record<SemanticAnalyzerName, (options: SemanticAnalyzerOptions) => SemanticAnalyzer> = {
  [OBJECT_PRESENCE]: (o) => createObjectPresenceAnalyzer(o.objectPresence),
  [REFERENCE_SIMILARITY]: (o) => createReferenceSimilarityAnalyzer(o.referenceSimilarity),
  [MODERATION]: (o) => createContentModerationAnalyzer(o.moderation),
};

export function isSemanticAnalyzerName(name: unknown): name is SemanticAnalyzerName {
  return (SEMANTIC_ANALYZER_NAMES as readonly unknown[]).includes(name);
}

/**
 * The analyzers named, in the order given (duplicates once). Nothing loads here: each analyzer loads its model
 * on first use, and reference-similarity and moderation share one process-wide nsfwjs model.
 */
export function createSemanticAnalyzers(
  names: readonly string[],
  options: SemanticAnalyzerOptions = {},
): SemanticAnalyzer[] {
  const unknown = names.filter((name) => !isSemanticAnalyzerName(name));
  if (unknown.length > 0) {
    throw new PakatiError(
      'BAD_USER_INPUT',
      `Unknown semantic analyzer${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; ` +
        `known: ${SEMANTIC_ANALYZER_NAMES.join(', ')}`,
      { unknown, known: [...SEMANTIC_ANALYZER_NAMES] },
    );
  }
  return [...new Set(names as readonly SemanticAnalyzerName[])].map((name) => FACTORIES[name](options));
}

/**
 * Runs the analyzers one after another (they share one tfjs engine, which runs one op at a time anyway). A
 * failing analyzer becomes a finding {score: 0, passed: null, details: {error}} instead of failing the run:
 * semantic checks are optional evidence. Cancellation is not a failure and propagates. A failed moderation
 * finding is returned like any other; whether it blocks is the caller's call (assertContentAllowed).
 */
export async function runSemanticAnalyzers(
  analyzers: readonly SemanticAnalyzer[],
  image: RasterImage,
  regions: readonly SemanticRegionInput[],
  signal?: AbortSignal,
): Promise<SemanticFinding[]> {
  const findings: SemanticFinding[] = [];
  for (const analyzer of analyzers) {
    signal?.throwIfAborted();
    try {
      findings.push(...(await analyzer.analyze(image, regions, signal)));
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      findings.push({
        analyzer: analyzer.name,
        regionId: null,
        score: 0,
        passed: null,
        details: { error: error instanceof Error ? error.message : String(error) },
      });
    }
  }
  return findings;
}
