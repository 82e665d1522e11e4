import { createRandom } from '../../random/seeded-random.ts';
import { assertMaskArguments, type MaskingStrategy, registerMaskingStrategy } from '../masking-strategy.ts';
import { emptyMask, floorDifficultyProduct, hideRect } from './mask-drawing.ts';

/** Hiding stops growing here so that at least a tenth of the picture is left to rebuild the rest from. */
const MAX_HIDDEN_QUADRANTS = 3.6;

/**
 * Whole quadrants hidden, in an order drawn from the seed: ceil(4d) quadrants are touched and d × 4
 * quadrants' worth of area is hidden — floor(4d) whole ones plus, in the next one, a rectangle anchored at
 * the picture's outer corner with the remaining share of its area. The original hid whole quadrants only,
 * which gives the same count at d = 0.3 and 0.5; the partial quadrant makes every step hide more. Capped at
 * 90% hidden (d ≥ 0.9) so context always remains.
 */
export const quadrantsStrategy: MaskingStrategy = {
  name: 'quadrants',
  description: 'Quadrants hidden one after another, in an order drawn from the seed',
  mask(width, height, difficulty, seed) {
    assertMaskArguments(width, height, difficulty, seed);
    const mask = emptyMask(width, height);
    const order = [0, 1, 2, 3];
    const random = createRandom(seed);
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const units = Math.min(4 * difficulty, MAX_HIDDEN_QUADRANTS);
    const whole = floorDifficultyProduct(units);
    const midX = Math.floor(width / 2);
    const midY = Math.floor(height / 2);
    for (let k = 0; k < order.length; k++) {
      const quadrant = order[k]!;
      const right = quadrant % 2 === 1;
      const bottom = quadrant >= 2;
      const qx0 = right ? midX : 0;
      const qx1 = right ? width : midX;
      const qy0 = bottom ? midY : 0;
      const qy1 = bottom ? height : midY;
      if (k < whole) {
        hideRect(mask, qx0, qy0, qx1, qy1);
        continue;
      }
      const share = Math.max(0, units - whole);
      if (share > 0) {
        const scale = Math.sqrt(share);
        const w = Math.round((qx1 - qx0) * scale);
        const h = Math.round((qy1 - qy0) * scale);
        const x0 = right ? qx1 - w : qx0;
        const y0 = bottom ? qy1 - h : qy0;
        hideRect(mask, x0, y0, x0 + w, y0 + h);
      }
      break;
    }
    return mask;
  },
};

registerMaskingStrategy(quadrantsStrategy);
