import { assertMaskArguments, type MaskingStrategy, registerMaskingStrategy } from '../masking-strategy.ts';
import { emptyMask, hideRect } from './mask-drawing.ts';

/**
 * The original's centre square of half-size d·min/2, narrowed by 10% so that even at d = 1 a frame of context
 * remains (a fully hidden image gives an inpainter nothing to work from).
 */
const SIDE_SHARE = 0.9;

/**
 * A centred square of side 0.9·d × the short side is hidden, so the backend must rebuild the subject from its
 * surroundings: about 1% hidden at d = 0.1, 66% at 0.9 on a square image. The seed is unused; the mask
 * depends only on size and difficulty.
 */
export const centerOutStrategy: MaskingStrategy = {
  name: 'center-out',
  description: 'A centred square hidden, growing outwards with difficulty',
  mask(width, height, difficulty, seed) {
    assertMaskArguments(width, height, difficulty, seed);
    const mask = emptyMask(width, height);
    const side = Math.round(SIDE_SHARE * difficulty * Math.min(width, height));
    // Flooring both corners keeps a larger square around a smaller one when the parities differ.
    const x0 = Math.floor((width - side) / 2);
    const y0 = Math.floor((height - side) / 2);
    hideRect(mask, x0, y0, x0 + side, y0 + side);
    return mask;
  },
};

registerMaskingStrategy(centerOutStrategy);
