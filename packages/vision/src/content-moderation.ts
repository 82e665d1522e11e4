import { PakatiError } from '@pakati/core';
import { rgbPixels } from './model-input.ts';
import { loadNsfwModel, NSFW_CLASSES, NSFW_INPUT_SIZE, type NsfwModel } from './nsfw-model.ts';
import { round3, unitOption } from './numbers.ts';
import type { SemanticAnalyzer, SemanticFinding } from './semantic-analyzer.ts';

export const MODERATION = 'moderation';

/** Class probabilities at or above which the image fails moderation. */
export interface ModerationThresholds {
  porn: number;
  hentai: number;
  sexy: number;
}

export const DEFAULT_MODERATION_THRESHOLDS: Readonly<ModerationThresholds> = {
  porn: 0.7,
  hentai: 0.7,
  sexy: 0.9,
};

/** Suggestive is not explicit: in the score it weighs half as much as Porn and Hentai. */
export const SEXY_WEIGHT = 0.5;

export interface ContentModerationOptions {
  thresholds?: Partial<ModerationThresholds>;
  /** Defaults to the process's shared nsfwjs MobileNetV2. */
  model?: () => Promise<NsfwModel>;
}

/**
 * nsfwjs's content classes on the whole canvas, as one finding with regionId null.
 * score = 1 - max(Porn, Hentai, SEXY_WEIGHT * Sexy): a continuous "how safe" for ranking and logs.
 * passed = every class below its threshold; the decision to block is the caller's (assertContentAllowed).
 */
export function createContentModerationAnalyzer(options: ContentModerationOptions = {}): SemanticAnalyzer {
  const thresholds: ModerationThresholds = { ...DEFAULT_MODERATION_THRESHOLDS };
  for (const key of ['porn', 'hentai', 'sexy'] as const) {
    thresholds[key] = unitOption(`thresholds.${key}`, options.thresholds?.[key] ?? thresholds[key]);
  }
  const loadModel = options.model ?? loadNsfwModel;

  return {
    name: MODERATION,
    async analyze(image, _regions, signal) {
      signal?.throwIfAborted();
      const model = await loadModel();
      const pixels = await rgbPixels(image, { width: NSFW_INPUT_SIZE, height: NSFW_INPUT_SIZE, fit: 'fill' });
      const probabilities = await model.classify(pixels);
      const scores = Object.fromEntries(NSFW_CLASSES.map((name) => [name, round3(probabilities[name])]));
      const exceeded = (['porn', 'hentai', 'sexy'] as const).filter(
        (key) => probabilities[CLASS_OF[key]] >= thresholds[key],
      );
      const risk = Math.max(probabilities.Porn, probabilities.Hentai, SEXY_WEIGHT * probabilities.Sexy);
      return [
        {
          analyzer: MODERATION,
          regionId: null,
          score: round3(1 - risk),
          passed: exceeded.length === 0,
          details: { scores, thresholds: { ...thresholds }, exceeded },
        },
      ];
    },
  };
}

const CLASS_OF = { porn: 'Porn', hentai: 'Hentai', sexy: 'Sexy' } as const;

/** Throws CONTENT_BLOCKED when a moderation finding failed; other findings never block. */
export function assertContentAllowed(findings: readonly SemanticFinding[]): void {
  const blocked = findings.find((f) => f.analyzer === MODERATION && f.passed === false);
  if (!blocked) return;
  const exceeded = Array.isArray(blocked.details.exceeded) ? (blocked.details.exceeded as string[]) : [];
  throw new PakatiError(
    'CONTENT_BLOCKED',
    `The image was blocked by content moderation${exceeded.length > 0 ? ` (${exceeded.join(', ')})` : ''}`,
    { scores: blocked.details.scores ?? {}, exceeded, thresholds: blocked.details.thresholds ?? {} },
  );
}
