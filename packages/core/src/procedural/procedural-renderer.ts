import { PakatiError } from '../errors.ts';
import { assertCanvasDimensions } from '../geometry/canvas.ts';
import { type BoundingBox, boundingBox, type Point } from '../geometry/polygon.ts';
import { featherMask, rasterizeMask } from '../mask/region-mask.ts';
import { createRandom, hashString, normalizeSeed, type SeededRandom } from '../random/seeded-random.ts';
import { hslToRgb, type Rgb } from './color.ts';
import { type Pattern, promptPalette } from './prompt-palette.ts';

export const PROCEDURAL_BACKEND_NAME = 'procedural';

export interface ProceduralRegion {
  points: Point[];
  prompt: string;
  negativePrompt?: string | null;
  seed?: number | null;
  zOrder: number;
  featherPx: number;
}

export interface ProceduralInput {
  width: number;
  height: number;
  seed: number;
  regions: ProceduralRegion[];
}

export interface ProceduralProgress {
  step: number;
  totalSteps: number;
  fraction: number;
  label: string;
}

export interface ProceduralImage {
  width: number;
  height: number;
  channels: 4;
  data: Uint8ClampedArray;
}

const BACKGROUND_BANDS = 4;

/** Maps pattern space (pixel centre, px) to a palette position in [0, 1]. */
type PatternField = (x: number, y: number) => number;

function fract(v: number): number {
  return v - Math.floor(v);
}

/** Soft periodic ramp 0→1→0, so repeating patterns have no hard seams. */
function triangle(v: number): number {
  return 1 - Math.abs(2 * fract(v) - 1);
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

/** Integer lattice hash in [0, 1); pure 32-bit ops keep it identical on every engine. */
function latticeHash(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = smoothstep(x - ix);
  const fy = smoothstep(y - iy);
  const a = latticeHash(ix, iy, seed);
  const b = latticeHash(ix + 1, iy, seed);
  const c = latticeHash(ix, iy + 1, seed);
  const d = latticeHash(ix + 1, iy + 1, seed);
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

/**
 * Builds the region's texture. Every parameter (angle, scale, phase, centre) comes from the region's PRNG,
 * and coordinates are taken relative to the region's bounding box so the pattern fits the drawn shape.
 */
function createPatternField(pattern: Pattern, box: BoundingBox, random: SeededRandom): PatternField {
  const size = Math.max(box.width, box.height, 1);
  const angle = random.next() * Math.PI;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const period = Math.max(6, size * (0.06 + random.next() * 0.14));
  const phase = random.next();
  const cx = box.x + box.width * (0.3 + 0.4 * random.next());
  const cy = box.y + box.height * (0.3 + 0.4 * random.next());
  const latticeSeed = random.int(0, 0xffffffff) | 0;

  switch (pattern) {
    case 'stripes':
      return (x, y) => triangle(((x - cx) * cos + (y - cy) * sin) / period + phase);
    case 'waves': {
      const amplitude = period * (0.3 + 0.5 * random.next());
      const waveNumber = (2 * Math.PI) / (period * (2 + 3 * random.next()));
      return (x, y) => {
        const u = (x - cx) * cos + (y - cy) * sin;
        const v = (y - cy) * cos - (x - cx) * sin;
        return triangle((u + amplitude * Math.sin(v * waveNumber + phase * 2 * Math.PI)) / period);
      };
    }
    case 'rings':
      return (x, y) => {
        const dx = x - cx;
        const dy = y - cy;
        return triangle(Math.sqrt(dx * dx + dy * dy) / period + phase);
      };
    case 'checker':
      return (x, y) => {
        const u = Math.floor(((x - cx) * cos + (y - cy) * sin) / period);
        const v = Math.floor(((y - cy) * cos - (x - cx) * sin) / period);
        const jitter = latticeHash(u, v, latticeSeed) * 0.35;
        return (u + v) & 1 ? jitter : 0.65 + jitter;
      };
    case 'dots': {
      const radius = 0.22 + 0.18 * random.next();
      return (x, y) => {
        const u = ((x - cx) * cos + (y - cy) * sin) / period + phase;
        const v = ((y - cy) * cos - (x - cx) * sin) / period;
        const du = fract(u) - 0.5;
        const dv = fract(v) - 0.5;
        // Signed distance to the dot rim in pixels gives a one-pixel anti-aliased edge.
        const edge = (radius - Math.sqrt(du * du + dv * dv)) * period;
        const inside = Math.min(1, Math.max(0, edge + 0.5));
        const dotTone = 0.6 + 0.4 * latticeHash(Math.floor(u), Math.floor(v), latticeSeed);
        return inside * dotTone;
      };
    }
    case 'noise': {
      const scale = 1 / (period * 2.5);
      return (x, y) => {
        let total = 0;
        let amplitude = 0.5;
        let frequency = scale;
        for (let octave = 0; octave < 4; octave++) {
          total +=
            amplitude * valueNoise((x - box.x) * frequency, (y - box.y) * frequency, latticeSeed + octave);
          amplitude *= 0.5;
          frequency *= 2;
        }
        return Math.min(1, total / 0.9375);
      };
    }
  }
}

function validateSeed(seed: number, what: string): number {
  return normalizeSeed(seed, () => {
    throw new PakatiError('BAD_USER_INPUT', `${what} is required`, {});
  });
}

function validateRegion(region: ProceduralRegion, index: number): void {
  const { points } = region;
  if (!Array.isArray(points) || points.length < 3) {
    throw new PakatiError('INVALID_POLYGON', `Region ${index} needs at least 3 points`, {
      reason: 'TOO_FEW_POINTS',
      region: index,
    });
  }
  for (const p of points) {
    if (p == null || !Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      throw new PakatiError('INVALID_POLYGON', `Region ${index} has a non-finite point`, {
        reason: 'NOT_FINITE',
        region: index,
      });
    }
  }
  if (region.seed != null) normalizeSeed(region.seed, () => 0);
  if (!Number.isFinite(region.zOrder)) {
    throw new PakatiError('BAD_USER_INPUT', `Region ${index} has a non-finite zOrder`, { region: index });
  }
  if (!Number.isFinite(region.featherPx) || region.featherPx < 0) {
    throw new PakatiError('BAD_USER_INPUT', `Region ${index} needs a featherPx >= 0`, { region: index });
  }
}

function paintBackground(
  data: Uint8ClampedArray,
  width: number,
  height: number,
  rowStart: number,
  rowEnd: number,
  params: BackgroundParams,
): void {
  const { from, to, cos, sin, extent, glowX, glowY, glowTwoSigmaSq, glowStrength } = params;
  for (let y = rowStart; y < rowEnd; y++) {
    const py = y + 0.5;
    for (let x = 0; x < width; x++) {
      const px = x + 0.5;
      const t = smoothstep(
        Math.min(1, Math.max(0, ((px - width / 2) * cos + (py - height / 2) * sin) / extent + 0.5)),
      );
      const dx = px - glowX;
      const dy = py - glowY;
      const glow = glowStrength * Math.exp(-(dx * dx + dy * dy) / glowTwoSigmaSq);
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const base = from[c]! + (to[c]! - from[c]!) * t;
        data[i + c] = base + (255 - base) * glow;
      }
    }
  }
}

interface BackgroundParams {
  from: Rgb;
  to: Rgb;
  cos: number;
  sin: number;
  extent: number;
  glowX: number;
  glowY: number;
  glowTwoSigmaSq: number;
  glowStrength: number;
}

function backgroundParams(width: number, height: number, seed: number): BackgroundParams {
  const random = createRandom(seed);
  const hue = random.next() * 360;
  const from = hslToRgb({ h: hue, s: 0.25 + 0.2 * random.next(), l: 0.3 + 0.2 * random.next() });
  const to = hslToRgb({
    h: hue + 60 + 120 * random.next(),
    s: 0.25 + 0.2 * random.next(),
    l: 0.55 + 0.2 * random.next(),
  });
  const angle = random.next() * 2 * Math.PI;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const sigma = Math.max(width, height) * (0.25 + 0.25 * random.next());
  return {
    from,
    to,
    cos,
    sin,
    // The canvas's extent along the gradient axis maps the gradient exactly onto [0, 1] across the canvas.
    extent: Math.max(1e-9, Math.abs(width * cos) + Math.abs(height * sin)),
    glowX: width * random.next(),
    glowY: height * random.next(),
    glowTwoSigmaSq: 2 * sigma * sigma,
    glowStrength: 0.1 + 0.15 * random.next(),
  };
}

function paintRegion(
  data: Uint8ClampedArray,
  width: number,
  height: number,
  globalSeed: number,
  region: ProceduralRegion,
): void {
  const box = boundingBox(region.points);
  const feather = Math.round(region.featherPx);
  // One spare pixel beyond the feather keeps the blur's edge handling out of reach of any coverage.
  const margin = feather + 1;
  const x0 = Math.max(0, Math.floor(box.x) - margin);
  const y0 = Math.max(0, Math.floor(box.y) - margin);
  const x1 = Math.min(width, Math.ceil(box.x + box.width) + margin);
  const y1 = Math.min(height, Math.ceil(box.y + box.height) + margin);
  if (x1 <= x0 || y1 <= y0) return;
  const windowWidth = x1 - x0;
  const windowHeight = y1 - y0;
  const local = region.points.map((p) => ({ x: p.x - x0, y: p.y - y0 }));
  const mask = featherMask(
    rasterizeMask(local, windowWidth, windowHeight),
    windowWidth,
    windowHeight,
    region.featherPx,
  );

  const regionSeed = normalizeSeed(region.seed, () => (hashString(region.prompt) ^ globalSeed) >>> 0);
  const { colors, pattern } = promptPalette(region.prompt, region.negativePrompt);
  const field = createPatternField(pattern, box, createRandom(regionSeed));
  const last = colors.length - 1;

  for (let wy = 0; wy < windowHeight; wy++) {
    const y = y0 + wy;
    for (let wx = 0; wx < windowWidth; wx++) {
      const alpha = mask[wy * windowWidth + wx]!;
      if (alpha <= 0) continue;
      const x = x0 + wx;
      const position = Math.min(1, Math.max(0, field(x + 0.5, y + 0.5))) * last;
      const lower = Math.floor(position);
      const upper = Math.min(last, lower + 1);
      const mix = position - lower;
      const a = colors[lower]!;
      const b = colors[upper]!;
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const target = a[c]! + (b[c]! - a[c]!) * mix;
        const current = data[i + c]!;
        data[i + c] = current + (target - current) * alpha;
      }
    }
  }
}

/**
 * The built-in offline backend. It is NOT an AI model: it paints deterministic gradients and patterns whose
 * colours and textures are picked from prompt keywords, shaped by each region's polygon mask. It exists so the
 * whole pipeline (regions, masks, feathering, z-order, progress, seeds) runs and can be tested without a GPU
 * or network. Same input gives byte-identical pixels: only the seeded PRNG and deterministic float math are
 * used (no Math.random, no clock).
 *
 * Yields progress after each unit of work: 4 background bands, one step per region, then 'finalize', so
 * totalSteps = 5 + regions.length and the last yielded fraction is exactly 1.
 */
export function* renderProcedural(
  input: ProceduralInput,
): Generator<ProceduralProgress, ProceduralImage, void> {
  const { width, height, regions } = input;
  assertCanvasDimensions({ width, height });
  const seed = validateSeed(input.seed, 'A global seed');
  regions.forEach(validateRegion);

  const totalSteps = BACKGROUND_BANDS + regions.length + 1;
  let step = 0;
  const progress = (label: string): ProceduralProgress => {
    step += 1;
    return { step, totalSteps, fraction: step / totalSteps, label };
  };

  const data = new Uint8ClampedArray(width * height * 4);
  const background = backgroundParams(width, height, seed);
  for (let band = 0; band < BACKGROUND_BANDS; band++) {
    const rowStart = Math.floor((height * band) / BACKGROUND_BANDS);
    const rowEnd = Math.floor((height * (band + 1)) / BACKGROUND_BANDS);
    paintBackground(data, width, height, rowStart, rowEnd, background);
    yield progress(`background ${band + 1}/${BACKGROUND_BANDS}`);
  }

  // Array.prototype.sort is stable, so equal zOrder keeps the caller's order.
  const ordered = regions
    .map((region, index) => ({ region, index }))
    .sort((a, b) => a.region.zOrder - b.region.zOrder);
  for (let k = 0; k < ordered.length; k++) {
    const { region, index } = ordered[k]!;
    paintRegion(data, width, height, seed, region);
    yield progress(`region ${k + 1}/${ordered.length} (#${index})`);
  }

  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  yield progress('finalize');

  return { width, height, channels: 4, data };
}
