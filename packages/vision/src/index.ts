export {
  COCO_LABELS,
  COCO_SYNONYMS,
  type CocoLabel,
  type CocoNoun,
  cocoNounsOf,
  type PromptNouns,
} from './coco-nouns.ts';
export {
  assertContentAllowed,
  type ContentModerationOptions,
  createContentModerationAnalyzer,
  DEFAULT_MODERATION_THRESHOLDS,
  MODERATION,
  type ModerationThresholds,
  SEXY_WEIGHT,
} from './content-moderation.ts';
export {
  loadNsfwModel,
  NSFW_CLASSES,
  type NsfwClass,
  type NsfwModel,
  type NsfwScores,
  releaseNsfwModel,
} from './nsfw-model.ts';
export {
  DETECTION_FLOOR,
  loadObjectDetector,
  type ObjectDetection,
  type ObjectDetector,
} from './object-detector.ts';
export {
  createObjectPresenceAnalyzer,
  DEFAULT_OBJECT_PRESENCE,
  insideFraction,
  OBJECT_PRESENCE,
  type ObjectPresenceOptions,
} from './object-presence-analyzer.ts';
export {
  cosine,
  createReferenceSimilarityAnalyzer,
  REFERENCE_SIMILARITY,
  type ReferenceSimilarityOptions,
  UNRELATED_COSINE,
} from './reference-similarity-analyzer.ts';
export type { SemanticAnalyzer, SemanticFinding, SemanticRegionInput } from './semantic-analyzer.ts';
export {
  createSemanticAnalyzers,
  isSemanticAnalyzerName,
  runSemanticAnalyzers,
  SEMANTIC_ANALYZER_NAMES,
  type SemanticAnalyzerName,
  type SemanticAnalyzerOptions,
} from './semantic-analyzers.ts';
