import type { PlannedStep, RasterImage } from '@pakati/core';
import type { LabStats } from './color-transfer.ts';
import { applyRegionAction, type RefinementRegion } from './region-actions.ts';

export interface PlannedStepContext {
  /** The colour statistics the region's references call for (their weighted mean), or null without pixels to match. */
  referenceLab: LabStats | null;
  /**
   * Regenerates or inpaints the region with a backend and returns the whole image with the new pixels blended
   * in through the region's mask. Absent where no backend is wired (the step is then skipped and reported).
   */
  generative?: (
    image: RasterImage,
    step: Extract<PlannedStep, { kind: 'regenerate' | 'inpaint' }>,
  ) => Promise<RasterImage>;
  signal?: AbortSignal;
}

export interface AppliedStep {
  step: PlannedStep;
  applied: boolean;
  /** Why a step was skipped. */
  note?: string;
}

/**
 * Applies one region's plan, step by step, in the order the planner gave (a regeneration first, so the in-place
 * edits that follow correct the fresh pixels). Pixels outside the region keep their bytes.
 */
export async function applyPlannedSteps(
  image: RasterImage,
  region: RefinementRegion,
  steps: readonly PlannedStep[],
  context: PlannedStepContext,
): Promise<{ image: RasterImage; steps: AppliedStep[] }> {
  let current = image;
  const report: AppliedStep[] = [];
  for (const step of steps) {
    context.signal?.throwIfAborted();
    switch (step.kind) {
      case 'regenerate':
      case 'inpaint':
        if (!context.generative) {
          report.push({ step, applied: false, note: 'no generative backend available' });
          continue;
        }
        current = await context.generative(current, step);
        break;
      case 'color-transfer':
        if (!context.referenceLab) {
          report.push({ step, applied: false, note: 'no reference pixels to transfer colour from' });
          continue;
        }
        current = await applyRegionAction(current, region, {
          kind: 'color-transfer',
          target: context.referenceLab,
          strength: step.strength,
        });
        break;
      case 'adjust':
        current = await applyRegionAction(current, region, {
          kind: 'adjust',
          brightness: step.brightness,
          contrast: step.contrast,
          saturation: step.saturation,
        });
        break;
      case 'warmth':
        current = await applyRegionAction(current, region, { kind: 'warmth', amount: step.amount });
        break;
      case 'sharpen':
      case 'soften':
        current = await applyRegionAction(current, region, { kind: step.kind, amount: step.amount });
        break;
    }
    report.push({ step, applied: true });
  }
  return { image: current, steps: report };
}

/** The weighted mean of several references' colour statistics (weights need not sum to 1). */
export function blendLabStats(parts: readonly { stats: LabStats; weight: number }[]): LabStats | null {
  const total = parts.reduce((sum, p) => sum + Math.max(0, p.weight), 0);
  if (parts.length === 0 || total === 0) return null;
  const mix = (pick: (s: LabStats) => [number, number, number]) =>
    [0, 1, 2].map((c) =>
      parts.reduce((sum, p) => sum + (Math.max(0, p.weight) * pick(p.stats)[c]!) / total, 0),
    ) as [number, number, number];
  return { mean: mix((s) => s.mean), std: mix((s) => s.std) };
}
