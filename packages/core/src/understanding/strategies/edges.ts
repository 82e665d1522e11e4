import { assertMaskArguments, type MaskingStrategy, registerMaskingStrategy } from '../masking-strategy.ts';
import { emptyMask, hideRect } from './mask-drawing.ts';

/**
 * A frame of width d × a quarter of the short side is hidden and the centre stays visible (the original's
 * edge_in, whose mask was inverted): the backend has to outpaint the surroundings, about 8% hidden at d = 0.1
 * and 70% at 0.9 on a square image. A quarter rather than a half keeps the central half of the picture as
 * context even at d = 1, where a frame meeting in the middle would leave nothing to extend. The seed is
 * unused.
 */
export const edgesStrategy: MaskingStrategy = {
  name: 'edges',
  description: 'A frame around the picture hidden, widening inwards with difficulty',
  mask(width, height, difficulty, seed) {
    assertMaskArguments(width, height, difficulty, seed);
    const mask = emptyMask(width, height);
    const frame = Math.round((difficulty * Math.min(width, height)) / 4);
    if (frame === 0) return mask;
    hideRect(mask, 0, 0, width, frame);
    hideRect(mask, 0, height - frame, width, height);
    hideRect(mask, 0, 0, frame, height);
    hideRect(mask, width - frame, 0, width, height);
    return mask;
  },
};

registerMaskingStrategy(edgesStrategy);
