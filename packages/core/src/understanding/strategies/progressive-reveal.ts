import { assertMaskArguments, type MaskingStrategy, registerMaskingStrategy } from '../masking-strategy.ts';
import { emptyMask } from './mask-drawing.ts';

/**
 * Only a centred circle of radius (1 − d) × half the short side stays visible (the original's numbers): the
 * backend has to extrapolate the whole picture from a shrinking keyhole, about 36% hidden at d = 0.1 and 99%
 * at 0.9 on a square image. The radius never drops below one pixel so there is always something to extend
 * (a fully hidden image gives an inpainter nothing to work from). The seed is unused.
 */
export const progressiveRevealStrategy: MaskingStrategy = {
  name: 'progressive-reveal',
  description: 'Only a centred circle visible, shrinking with difficulty',
  mask(width, height, difficulty, seed) {
    assertMaskArguments(width, height, difficulty, seed);
    const mask = emptyMask(width, height);
    const radius = Math.max(1, ((1 - difficulty) * Math.min(width, height)) / 2);
    const r2 = radius * radius;
    const cx = (width - 1) / 2;
    const cy = (height - 1) / 2;
    for (let y = 0; y < height; y++) {
      const dy = y - cy;
      for (let x = 0; x < width; x++) {
        const dx = x - cx;
        if (dx * dx + dy * dy > r2) mask.data[y * width + x] = 1;
      }
    }
    return mask;
  },
};

registerMaskingStrategy(progressiveRevealStrategy);
