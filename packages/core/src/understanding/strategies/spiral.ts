import { createRandom } from '../../random/seeded-random.ts';
import { assertMaskArguments, type MaskingStrategy, registerMaskingStrategy } from '../masking-strategy.ts';
import { emptyMask } from './mask-drawing.ts';

const TURNS = 3;
const TAU = 2 * Math.PI;

/**
 * An Archimedean band r = cθ ± pitch/4 wound from the centre outwards, its start angle drawn from the seed.
 * At d = 1 it makes three turns and reaches the corners (half the picture hidden, in alternating stripes); at
 * difficulty d its centreline stops at angle 3·2π·√d, because the length (and so the hidden area) of an
 * Archimedean spiral grows with the square of its angle: d then scales length and area about linearly, from
 * roughly 8% hidden at d = 0.1 to 47% at 0.9. The visible gaps between turns are as wide as the band, so
 * long thin structures have to be continued across it.
 */
export const spiralStrategy: MaskingStrategy = {
  name: 'spiral',
  description: 'A spiral band hidden from the centre outwards, lengthening with difficulty',
  mask(width, height, difficulty, seed) {
    assertMaskArguments(width, height, difficulty, seed);
    const mask = emptyMask(width, height);
    const start = createRandom(seed).next() * TAU;
    const cx = width / 2;
    const cy = height / 2;
    const reach = Math.hypot(width, height) / 2;
    const pitch = reach / TURNS;
    const perRadian = pitch / TAU;
    const halfBand = pitch / 4;
    const maxAngle = TURNS * TAU * Math.sqrt(difficulty);
    if (maxAngle === 0) return mask;
    for (let y = 0; y < height; y++) {
      const dy = y + 0.5 - cy;
      for (let x = 0; x < width; x++) {
        const dx = x + 0.5 - cx;
        const rho = Math.hypot(dx, dy);
        let angle = Math.atan2(dy, dx) - start;
        angle -= Math.floor(angle / TAU) * TAU;
        // The band crosses this pixel's direction once per turn; the pixel is hidden when one crossing that
        // the band has already reached lies within half a band of it.
        for (let theta = angle; theta <= maxAngle; theta += TAU) {
          if (Math.abs(rho - perRadian * theta) <= halfBand) {
            mask.data[y * width + x] = 1;
            break;
          }
        }
      }
    }
    return mask;
  },
};

registerMaskingStrategy(spiralStrategy);
