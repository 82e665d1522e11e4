import type { Point, RasterImage } from '@pakati/core';

export interface SemanticRegionInput {
  id: string;
  points: Point[];
  prompt: string;
  references: RasterImage[];
}

export interface SemanticFinding {
  /** The analyzer's name. */
  analyzer: string;
  /** null for a canvas-wide finding (e.g. moderation). */
  regionId: string | null;
  /** 0..1, higher = better match / safer. */
  score: number;
  /** null when the analyzer makes no pass/fail judgement. */
  passed: boolean | null;
  /** JSON-serialisable evidence (detections, similarities, class scores). */
  details: Record<string, unknown>;
}

export interface SemanticAnalyzer {
  readonly name: string;
  analyze(
    image: RasterImage,
    regions: readonly SemanticRegionInput[],
    signal?: AbortSignal,
  ): Promise<SemanticFinding[]>;
  dispose?(): Promise<void>;
}
