import { createRandom } from '../../random/seeded-random.ts';
import { assertMaskArguments, type MaskingStrategy, registerMaskingStrategy } from '../masking-strategy.ts';
import { emptyMask, floorDifficultyProduct, hideRect } from './mask-drawing.ts';

const MIN_PATCHES = 10;
const PATCHES_PER_DIFFICULTY = 30;
const MAX_PATCHES = MIN_PATCHES + PATCHES_PER_DIFFICULTY;
/** Side as a share of the short side: the original's int(20 + 80d) px, taken at its 500 px working size. */
const MIN_SIDE_SHARE = 0.04;
const SIDE_SHARE_PER_DIFFICULTY = 0.16;

/**
 * int(10 + 30d) squares whose side grows from 4% to 20% of the short side (the original's numbers, with the
 * inversion fixed: the squares are hidden, the rest is context). All 40 centres are drawn from the seed
 * before the difficulty is looked at, and a larger square on the same centre contains the smaller one, so
 * for one seed every harder mask contains every easier one. Expected hidden share: about 4% at d = 0.1,
 * 70% at 0.9.
 */
export const randomPatchesStrategy: MaskingStrategy = {
  name: 'random-patches',
  description: 'Scattered squares hidden; more and larger squares as difficulty grows',
  mask(width, height, difficulty, seed) {
    assertMaskArguments(width, height, difficulty, seed);
    const mask = emptyMask(width, height);
    const random = createRandom(seed);
    const centres: number[] = [];
    for (let i = 0; i < MAX_PATCHES; i++) centres.push(random.next() * width, random.next() * height);
    const count = floorDifficultyProduct(MIN_PATCHES + PATCHES_PER_DIFFICULTY * difficulty);
    const side = Math.max(
      1,
      Math.round((MIN_SIDE_SHARE + SIDE_SHARE_PER_DIFFICULTY * difficulty) * Math.min(width, height)),
    );
    for (let i = 0; i < count; i++) {
      const x0 = Math.floor(centres[2 * i]! - side / 2);
      const y0 = Math.floor(centres[2 * i + 1]! - side / 2);
      hideRect(mask, x0, y0, x0 + side, y0 + side);
    }
    return mask;
  },
};

registerMaskingStrategy(randomPatchesStrategy);
