import { hashString } from '../random/seeded-random.ts';
import { type Hsl, hslToRgb, hueDistance, type Rgb, rgbToHsl } from './color.ts';

export const PATTERNS = ['stripes', 'waves', 'rings', 'checker', 'noise', 'dots'] as const;
export type Pattern = (typeof PATTERNS)[number];

export interface PromptPalette {
  /** 3 to 5 RGB colours, most prompt-relevant first. */
  colors: Rgb[];
  pattern: Pattern;
}

const MIN_COLORS = 3;
const MAX_COLORS = 5;

/** Plain colour names: these are the words a negative prompt can use to strip colours. */
const COLOR_WORDS: Record<string, Rgb> = {
  red: [214, 40, 40],
  orange: [245, 130, 32],
  yellow: [250, 215, 60],
  green: [60, 170, 75],
  blue: [40, 90, 210],
  purple: [130, 60, 180],
  violet: [140, 80, 200],
  pink: [240, 120, 170],
  brown: [125, 80, 45],
  black: [20, 20, 24],
  white: [245, 245, 240],
  gray: [128, 128, 128],
  grey: [128, 128, 128],
  gold: [212, 175, 55],
  golden: [212, 175, 55],
  silver: [192, 192, 200],
  teal: [0, 128, 128],
  cyan: [0, 190, 210],
};

/** Scene words evoke a small set of colours rather than one. */
const SCENE_WORDS: Record<string, Rgb[]> = {
  sky: [
    [135, 200, 245],
    [90, 160, 230],
  ],
  sea: [
    [20, 90, 150],
    [40, 150, 180],
  ],
  ocean: [
    [20, 90, 150],
    [40, 150, 180],
  ],
  water: [
    [40, 120, 190],
    [120, 190, 220],
  ],
  forest: [
    [30, 90, 45],
    [70, 130, 60],
  ],
  grass: [
    [90, 170, 60],
    [140, 200, 90],
  ],
  sunset: [
    [250, 140, 60],
    [235, 85, 90],
    [120, 60, 140],
  ],
  sunrise: [
    [255, 190, 110],
    [245, 140, 120],
  ],
  night: [
    [15, 20, 50],
    [45, 50, 100],
  ],
  fire: [
    [230, 60, 20],
    [250, 160, 30],
  ],
  snow: [
    [240, 245, 250],
    [190, 215, 235],
  ],
  ice: [
    [200, 230, 245],
    [150, 200, 230],
  ],
  sand: [
    [220, 190, 140],
    [200, 160, 100],
  ],
  desert: [
    [220, 190, 140],
    [190, 120, 70],
  ],
  autumn: [
    [200, 90, 30],
    [170, 50, 30],
  ],
  lava: [
    [200, 30, 10],
    [255, 120, 0],
  ],
};

const PATTERN_WORDS: Record<string, Pattern> = {
  stripe: 'stripes',
  stripes: 'stripes',
  striped: 'stripes',
  line: 'stripes',
  lines: 'stripes',
  wave: 'waves',
  waves: 'waves',
  wavy: 'waves',
  ocean: 'waves',
  sea: 'waves',
  water: 'waves',
  river: 'waves',
  ring: 'rings',
  rings: 'rings',
  circle: 'rings',
  circles: 'rings',
  spiral: 'rings',
  ripple: 'rings',
  check: 'checker',
  checker: 'checker',
  checkered: 'checker',
  checkerboard: 'checker',
  grid: 'checker',
  tile: 'checker',
  tiles: 'checker',
  star: 'dots',
  stars: 'dots',
  dot: 'dots',
  dots: 'dots',
  dotted: 'dots',
  spots: 'dots',
  polka: 'dots',
  bubbles: 'dots',
  cloud: 'noise',
  clouds: 'noise',
  cloudy: 'noise',
  fog: 'noise',
  foggy: 'noise',
  mist: 'noise',
  smoke: 'noise',
  marble: 'noise',
};

const STOP_WORDS = new Set([
  'the',
  'and',
  'with',
  'for',
  'from',
  'into',
  'onto',
  'over',
  'under',
  'very',
  'some',
  'like',
  'are',
  'its',
  'this',
  'that',
  'of',
]);

function tokenize(text: string | null | undefined): string[] {
  return (text ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function sameColor(a: Rgb, b: Rgb): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

/**
 * Whether a negative colour word "names" this colour. Chromatic names match by hue (so 'red' also strips
 * a sunset's crimson); neutral names match by lightness among low-saturation colours.
 */
function matchesNamedColor(color: Rgb, named: Rgb): boolean {
  const c = rgbToHsl(color);
  const n = rgbToHsl(named);
  if (n.s >= 0.2) {
    return c.s >= 0.2 && hueDistance(c.h, n.h) <= 22 && Math.abs(c.l - n.l) < 0.35;
  }
  if (n.l > 0.9 && c.l > 0.9) return true;
  if (n.l < 0.12 && c.l < 0.12) return true;
  return c.s < 0.2 && Math.abs(c.l - n.l) < 0.2;
}

function hashedHsl(hash: number): Hsl {
  return {
    h: hash % 360,
    s: 0.5 + ((hash >>> 9) % 35) / 100,
    l: 0.42 + ((hash >>> 17) % 22) / 100,
  };
}

/**
 * A deterministic, prompt-derived look for the procedural backend: recognised colour and scene words become
 * colour anchors, other words become hashed hues, and pattern words pick the texture.
 */
export function promptPalette(prompt: string, negativePrompt?: string | null): PromptPalette {
  const words = tokenize(prompt);
  const negativeWords = new Set(tokenize(negativePrompt));
  const banned: Rgb[] = [];
  for (const word of negativeWords) {
    const named = COLOR_WORDS[word];
    if (named) banned.push(named);
  }
  const isBanned = (color: Rgb): boolean => banned.some((named) => matchesNamedColor(color, named));

  const colors: Rgb[] = [];
  const add = (color: Rgb): void => {
    if (colors.length >= MAX_COLORS || isBanned(color) || colors.some((c) => sameColor(c, color))) return;
    colors.push(color);
  };
  // Hashed hues are nudged around the wheel until they avoid every banned colour.
  const addHashed = (hash: number): void => {
    const hsl = hashedHsl(hash);
    for (let attempt = 0; attempt < 12; attempt++) {
      const color = hslToRgb({ ...hsl, h: hsl.h + attempt * 137.5 });
      if (!isBanned(color)) {
        add(color);
        return;
      }
    }
  };

  for (const word of words) {
    if (negativeWords.has(word)) continue;
    const named = COLOR_WORDS[word];
    if (named) add(named);
    for (const anchor of SCENE_WORDS[word] ?? []) add(anchor);
  }
  for (const word of words) {
    if (word in COLOR_WORDS || word in SCENE_WORDS || word in PATTERN_WORDS) continue;
    if (word.length < 3 || STOP_WORDS.has(word) || negativeWords.has(word)) continue;
    addHashed(hashString(word));
  }
  if (colors.length === 0) {
    const promptHash = hashString(words.join(' '));
    for (let i = 0; colors.length < MIN_COLORS && i < 8; i++) addHashed((promptHash + i * 0x9e3779b9) >>> 0);
  }
  // Lighter/darker variants of what is there keep short prompts on-theme instead of adding random hues.
  for (let i = 0; colors.length > 0 && colors.length < MIN_COLORS && i < 12; i++) {
    const source = rgbToHsl(colors[i % colors.length]!);
    const shift = (i % 2 === 0 ? 0.2 : -0.2) * (1 + Math.floor(i / 2) * 0.25);
    add(hslToRgb({ ...source, l: Math.min(0.95, Math.max(0.05, source.l + shift)) }));
  }
  // Last resort for pathological bans: neutral greys are always distinct enough to render a pattern.
  for (let level = 60; colors.length < MIN_COLORS && level <= 220; level += 40) {
    const grey: Rgb = [level, level, level];
    if (!colors.some((c) => sameColor(c, grey))) colors.push(grey);
  }

  let pattern: Pattern | undefined;
  for (const word of words) {
    pattern = PATTERN_WORDS[word];
    if (pattern) break;
  }
  pattern ??= PATTERNS[hashString(words.join(' ')) % PATTERNS.length]!;
  return { colors, pattern };
}
