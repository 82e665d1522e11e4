import { BackendError } from '../backends/backend-error.ts';
import type { MaskImage, RasterImage } from '../backends/raster.ts';
import { PakatiError } from '../errors.ts';
import { createRandom, MAX_SEED, type SeededRandom } from '../random/seeded-random.ts';

export const PATCHMATCH_NAME = 'patchmatch';
export const DEFAULT_PATCH_SIZE = 7;
export const DEFAULT_PATCHMATCH_ITERATIONS = 5;

export interface PatchMatchProgress {
  step: number;
  totalSteps: number;
  /** step / totalSteps: 1 after the last iteration of the finest level. */
  fraction: number;
  /** 0 is the full-resolution level; levels count down to it. */
  level: number;
  levels: number;
  iteration: number;
}

export interface PatchMatchSettings {
  /** Odd side of the square patches; shrunk to fit when the source is smaller. Default 7. */
  patchSize?: number;
  /** Search + vote rounds per pyramid level. Default 5. */
  iterations?: number;
  /**
   * Pyramid depth including full resolution; auto (halving until the hole fits in a patch) when absent.
   * Capped where the coarsest source level would no longer hold a whole patch.
   */
  pyramidLevels?: number | null;
  seed: number;
  /** Copy from this image (any size, fully usable) instead of from the image's own unmasked pixels. */
  source?: RasterImage | null;
}

export interface PatchMatchOptions extends PatchMatchSettings {
  onProgress?: (progress: PatchMatchProgress) => void;
  signal?: AbortSignal | null;
}

/**
 * Weight of a not-yet-final hole pixel in the patch distance (known pixels weigh 1). The hole only holds
 * estimates, so matches are decided mostly by the real pixels around it; the estimates still steer patches
 * that lie wholly inside the hole, which have no known pixel at all.
 */
const ESTIMATE_WEIGHT = 0.25;
/** Voting weights use the 75th percentile of patch distances as their scale (Wexler et al. 2007). */
const WEIGHT_PERCENTILE = 0.75;
/** The percentile is taken over at most this many evenly spaced patches, so it stays cheap on huge holes. */
const PERCENTILE_SAMPLES = 4096;
const MAX_PYRAMID_LEVELS = 12;
const MAX_PATCH_SIZE = 31;
const MAX_ITERATIONS = 100;

/** One pyramid level of the image being filled. Colours are RGBA floats (0..255), 4 per pixel. */
interface TargetLevel {
  width: number;
  height: number;
  color: Float32Array;
  /** 1 where the pixel has to be synthesised. */
  hole: Uint8Array;
}

interface SourceLevel {
  width: number;
  height: number;
  color: Float32Array;
}

function invalidImage(message: string, details: Record<string, unknown> = {}): never {
  throw new PakatiError('INVALID_IMAGE', message, details);
}

function badInput(message: string, details: Record<string, unknown> = {}): never {
  throw new PakatiError('BAD_USER_INPUT', message, details);
}

function checkRaster(image: RasterImage, what: string): void {
  const { width, height, data } = image ?? ({} as Partial<RasterImage>);
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    (width as number) <= 0 ||
    (height as number) <= 0
  ) {
    invalidImage(`The ${what} needs positive integer dimensions`, { width, height });
  }
  // Duck-typed rather than instanceof, which fails for arrays made in another realm (iframe, worker).
  if (!ArrayBuffer.isView(data) || data.length !== (width as number) * (height as number) * 4) {
    invalidImage(`The ${what} must hold ${width}×${height} RGBA bytes`, { width, height });
  }
}

function optionalInteger(
  value: number | null | undefined,
  fallback: number,
  min: number,
  max: number,
  name: string,
) {
  if (value == null) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    badInput(`${name} must be an integer between ${min} and ${max}`, { [name]: value });
  }
  return value;
}

function toFloat(data: Uint8ClampedArray): Float32Array {
  const color = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) color[i] = data[i]!;
  return color;
}

/** 2× box downsampling; odd edges average the pixels that exist. Hole pixels are excluded from the average. */
function downsample(
  color: Float32Array,
  hole: Uint8Array | null,
  width: number,
  height: number,
): { color: Float32Array; hole: Uint8Array | null; width: number; height: number } {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const out = new Float32Array(cw * ch * 4);
  const outHole = hole ? new Uint8Array(cw * ch) : null;
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      let count = 0;
      let anyHole = 0;
      for (let dy = 0; dy < 2; dy++) {
        const y = cy * 2 + dy;
        if (y >= height) continue;
        for (let dx = 0; dx < 2; dx++) {
          const x = cx * 2 + dx;
          if (x >= width) continue;
          const i = y * width + x;
          if (hole && hole[i] === 1) {
            anyHole = 1;
            continue;
          }
          const j = i * 4;
          r += color[j]!;
          g += color[j + 1]!;
          b += color[j + 2]!;
          a += color[j + 3]!;
          count++;
        }
      }
      const o = cy * cw + cx;
      // A coarse pixel is a hole as soon as any pixel under it is: a partly known average would be wrong.
      if (outHole) outHole[o] = anyHole;
      if (count > 0) {
        out[o * 4] = r / count;
        out[o * 4 + 1] = g / count;
        out[o * 4 + 2] = b / count;
        out[o * 4 + 3] = a / count;
      }
    }
  }
  return { color: out, hole: outHole, width: cw, height: ch };
}

/** Summed-area table (width+1 × height+1) of the hole map, for O(1) "any hole in this window" queries. */
function holeIntegral(hole: Uint8Array, width: number, height: number): Int32Array {
  const stride = width + 1;
  const sums = new Int32Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += hole[y * width + x]!;
      sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1]! + row;
    }
  }
  return sums;
}

/** Hole pixels in the window [x0, x1) × [y0, y1), clamped to the image. */
function windowSum(
  sums: Int32Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): number {
  const ax = Math.max(0, x0);
  const ay = Math.max(0, y0);
  const bx = Math.min(width, x1);
  const by = Math.min(height, y1);
  if (bx <= ax || by <= ay) return 0;
  const stride = width + 1;
  return (
    sums[by * stride + bx]! - sums[ay * stride + bx]! - sums[by * stride + ax]! + sums[ay * stride + ax]!
  );
}

/**
 * Which source patch centres may be copied from. Without a separate source only patches made entirely of
 * known pixels qualify; when a coarse level has none (scattered holes), the rules relax step by step so there
 * is always something to copy.
 */
function validSourceCentres(
  width: number,
  height: number,
  radius: number,
  hole: Uint8Array | null,
): { valid: Uint8Array; list: Int32Array } {
  const valid = new Uint8Array(width * height);
  const sums = hole ? holeIntegral(hole, width, height) : null;
  const collect = (accept: (x: number, y: number) => boolean): number => {
    let count = 0;
    for (let y = radius; y < height - radius; y++) {
      for (let x = radius; x < width - radius; x++) {
        if (accept(x, y)) {
          valid[y * width + x] = 1;
          count++;
        }
      }
    }
    return count;
  };
  let count = sums
    ? collect(
        (x, y) =>
          windowSum(sums, width, height, x - radius, y - radius, x + radius + 1, y + radius + 1) === 0,
      )
    : collect(() => true);
  if (count === 0 && hole) count = collect((x, y) => hole[y * width + x] === 0);
  if (count === 0) count = collect(() => true);
  const list = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < valid.length; i++) if (valid[i] === 1) list[k++] = i;
  return { valid, list };
}

/** Patch centres whose patch touches the hole: the only ones whose matches matter. Row-major. */
function targetCentres(level: TargetLevel, radius: number): Int32Array {
  const { width, height, hole } = level;
  const sums = holeIntegral(hole, width, height);
  const picked: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (windowSum(sums, width, height, x - radius, y - radius, x + radius + 1, y + radius + 1) > 0) {
        picked.push(y * width + x);
      }
    }
  }
  return Int32Array.from(picked);
}

/**
 * Coarsest-level starting estimate: the hole is peeled from its rim inwards, each ring taking the mean of its
 * already-filled 8-neighbours. Smooth and O(pixels), it gives the first search something better than noise.
 */
function onionPeelFill(level: TargetLevel, fallback: readonly number[]): void {
  const { width, height, color, hole } = level;
  const filled = new Uint8Array(width * height);
  const queued = new Uint8Array(width * height);
  let frontier: number[] = [];
  for (let i = 0; i < filled.length; i++) filled[i] = hole[i] === 1 ? 0 : 1;
  const enqueueNeighbours = (i: number, into: number[]): void => {
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      const ny = y + dy;
      if (ny < 0 || ny >= height) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        if (nx < 0 || nx >= width) continue;
        const n = ny * width + nx;
        if (filled[n] === 0 && queued[n] === 0) {
          queued[n] = 1;
          into.push(n);
        }
      }
    }
  };
  for (let i = 0; i < filled.length; i++)
    if (filled[i] === 1 && hole[i] === 0) enqueueNeighbours(i, frontier);
  const values = new Float32Array(4);
  let layer = new Float32Array(0);
  while (frontier.length > 0) {
    if (layer.length < frontier.length * 4) layer = new Float32Array(frontier.length * 4);
    for (let k = 0; k < frontier.length; k++) {
      const i = frontier[k]!;
      const x = i % width;
      const y = (i - x) / width;
      values.fill(0);
      let count = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const n = ny * width + nx;
          if (filled[n] === 0) continue;
          for (let c = 0; c < 4; c++) values[c]! += color[n * 4 + c]!;
          count++;
        }
      }
      for (let c = 0; c < 4; c++) layer[k * 4 + c] = values[c]! / count;
    }
    // Mark the whole ring only after computing it, so a ring never feeds on itself and the fill is symmetric.
    for (let k = 0; k < frontier.length; k++) {
      const i = frontier[k]!;
      for (let c = 0; c < 4; c++) color[i * 4 + c] = layer[k * 4 + c]!;
      filled[i] = 1;
    }
    const next: number[] = [];
    for (const i of frontier) enqueueNeighbours(i, next);
    frontier = next;
  }
  for (let i = 0; i < filled.length; i++) {
    if (filled[i] === 1) continue;
    for (let c = 0; c < 4; c++) color[i * 4 + c] = fallback[c]!;
  }
}

function meanColor(color: Float32Array): number[] {
  const sum = [0, 0, 0, 0];
  const pixels = color.length / 4;
  for (let i = 0; i < color.length; i += 4) {
    for (let c = 0; c < 4; c++) sum[c]! += color[i + c]!;
  }
  return sum.map((s) => s / Math.max(1, pixels));
}

/** Bilinear upsampling of the coarse estimate into the fine level's hole pixels (known pixels are kept). */
function upsampleHole(coarse: TargetLevel, fine: TargetLevel): void {
  const { width: cw, height: ch, color: cc } = coarse;
  const { width: fw, height: fh, color: fc, hole } = fine;
  for (let y = 0; y < fh; y++) {
    const sy = Math.min(ch - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(ch - 1, y0 + 1);
    const ty = sy - y0;
    for (let x = 0; x < fw; x++) {
      const i = y * fw + x;
      if (hole[i] === 0) continue;
      const sx = Math.min(cw - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(cw - 1, x0 + 1);
      const tx = sx - x0;
      for (let c = 0; c < 4; c++) {
        const a = cc[(y0 * cw + x0) * 4 + c]!;
        const b = cc[(y0 * cw + x1) * 4 + c]!;
        const d = cc[(y1 * cw + x0) * 4 + c]!;
        const e = cc[(y1 * cw + x1) * 4 + c]!;
        const top = a + (b - a) * tx;
        const bottom = d + (e - d) * tx;
        fc[i * 4 + c] = top + (bottom - top) * ty;
      }
    }
  }
}

/**
 * Weighted SSD between the target patch centred at (qx, qy) and the source patch centred at (sx, sy). Target
 * pixels outside the image are skipped (the source patch is always inside its image). Returns early, with a
 * value >= limit, as soon as the running sum reaches limit: the caller only wants strictly better matches.
 */
function patchDistance(
  target: Float32Array,
  weight: Float32Array,
  tw: number,
  th: number,
  source: Float32Array,
  sw: number,
  qx: number,
  qy: number,
  sx: number,
  sy: number,
  radius: number,
  limit: number,
): number {
  const dy0 = qy - radius < 0 ? -qy : -radius;
  const dy1 = qy + radius >= th ? th - 1 - qy : radius;
  const dx0 = qx - radius < 0 ? -qx : -radius;
  const dx1 = qx + radius >= tw ? tw - 1 - qx : radius;
  let sum = 0;
  for (let dy = dy0; dy <= dy1; dy++) {
    let ti = (qy + dy) * tw + qx + dx0;
    let si = (sy + dy) * sw + sx + dx0;
    for (let dx = dx0; dx <= dx1; dx++, ti++, si++) {
      const t4 = ti * 4;
      const s4 = si * 4;
      const d0 = target[t4]! - source[s4]!;
      const d1 = target[t4 + 1]! - source[s4 + 1]!;
      const d2 = target[t4 + 2]! - source[s4 + 2]!;
      const d3 = target[t4 + 3]! - source[s4 + 3]!;
      sum += weight[ti]! * (d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3);
    }
    if (sum >= limit) return sum;
  }
  return sum;
}

/** Everything one level's search and vote need, allocated once per level. */
interface LevelState {
  target: TargetLevel;
  source: SourceLevel;
  radius: number;
  weight: Float32Array;
  targets: Int32Array;
  /** Total weight of each target patch, to turn distances into per-pixel means for the vote weights. */
  patchWeight: Float64Array;
  valid: Uint8Array;
  validList: Int32Array;
  /** Nearest-neighbour field: source centre index per target pixel, -1 off the target set. */
  nnf: Int32Array;
  distance: Float64Array;
  accumulated: Float64Array;
  voteWeight: Float64Array;
  samples: Float64Array;
}

function createLevelState(
  target: TargetLevel,
  source: SourceLevel,
  radius: number,
  sourceHole: Uint8Array | null,
) {
  const { width, height, hole } = target;
  const weight = new Float32Array(width * height);
  for (let i = 0; i < weight.length; i++) weight[i] = hole[i] === 1 ? ESTIMATE_WEIGHT : 1;
  const targets = targetCentres(target, radius);
  const patchWeight = new Float64Array(targets.length);
  for (let k = 0; k < targets.length; k++) {
    const q = targets[k]!;
    const qx = q % width;
    const qy = (q - qx) / width;
    let total = 0;
    for (let y = Math.max(0, qy - radius); y <= Math.min(height - 1, qy + radius); y++) {
      for (let x = Math.max(0, qx - radius); x <= Math.min(width - 1, qx + radius); x++)
        total += weight[y * width + x]!;
    }
    patchWeight[k] = total;
  }
  const { valid, list } = validSourceCentres(source.width, source.height, radius, sourceHole);
  const nnf = new Int32Array(width * height).fill(-1);
  return {
    target,
    source,
    radius,
    weight,
    targets,
    patchWeight,
    valid,
    validList: list,
    nnf,
    distance: new Float64Array(width * height),
    accumulated: new Float64Array(width * height * 4),
    voteWeight: new Float64Array(width * height),
    samples: new Float64Array(Math.min(PERCENTILE_SAMPLES, targets.length)),
  } satisfies LevelState;
}

function randomCentre(state: LevelState, random: SeededRandom): number {
  return state.validList[Math.floor(random.next() * state.validList.length)]!;
}

/** Coarse-to-fine hand-over: a match at coarse (x, y) → (sx, sy) becomes (2sx + x mod 2, 2sy + y mod 2). */
function initialiseFromCoarser(state: LevelState, coarse: LevelState, random: SeededRandom): void {
  const { targets, nnf, valid, radius } = state;
  const { width } = state.target;
  const { width: sw, height: sh } = state.source;
  const cw = coarse.target.width;
  const csw = coarse.source.width;
  for (let k = 0; k < targets.length; k++) {
    const q = targets[k]!;
    const qx = q % width;
    const qy = (q - qx) / width;
    const f = coarse.nnf[(qy >> 1) * cw + (qx >> 1)] ?? -1;
    let chosen = -1;
    if (f >= 0) {
      const fx = f % csw;
      const fy = (f - fx) / csw;
      const sx = Math.min(sw - 1 - radius, Math.max(radius, fx * 2 + (qx & 1)));
      const sy = Math.min(sh - 1 - radius, Math.max(radius, fy * 2 + (qy & 1)));
      const candidate = sy * sw + sx;
      if (valid[candidate] === 1) chosen = candidate;
    }
    nnf[q] = chosen >= 0 ? chosen : randomCentre(state, random);
  }
}

function initialiseRandomly(state: LevelState, random: SeededRandom): void {
  const { targets, nnf } = state;
  for (let k = 0; k < targets.length; k++) nnf[targets[k]!] = randomCentre(state, random);
}

/** Recomputes every stored match distance, which goes stale whenever the vote rewrites the hole. */
function refreshDistances(state: LevelState): void {
  const { target, source, radius, weight, targets, nnf, distance } = state;
  const { width: tw, height: th, color: tc } = target;
  const { width: sw, color: sc } = source;
  for (let k = 0; k < targets.length; k++) {
    const q = targets[k]!;
    const qx = q % tw;
    const f = nnf[q]!;
    const fx = f % sw;
    distance[q] = patchDistance(
      tc,
      weight,
      tw,
      th,
      sc,
      sw,
      qx,
      (q - qx) / tw,
      fx,
      (f - fx) / sw,
      radius,
      Number.POSITIVE_INFINITY,
    );
  }
}

/**
 * One PatchMatch pass (Barnes et al. 2009): for each target patch in scan order, try the neighbours' matches
 * shifted by one pixel (propagation; the scan alternates direction between passes so good matches travel
 * both ways), then random candidates around the current best in a window halving from the whole source
 * down to one pixel (random search).
 */
function searchPass(state: LevelState, forward: boolean, random: SeededRandom): void {
  const { target, source, radius, weight, targets, valid, nnf, distance } = state;
  const { width: tw, height: th, color: tc } = target;
  const { width: sw, height: sh, color: sc } = source;
  const minX = radius;
  const maxX = sw - 1 - radius;
  const minY = radius;
  const maxY = sh - 1 - radius;
  const startRadius = Math.max(sw, sh);
  const step = forward ? -1 : 1;

  refreshDistances(state);

  const n = targets.length;
  for (let k = forward ? 0 : n - 1; forward ? k < n : k >= 0; k += forward ? 1 : -1) {
    const q = targets[k]!;
    const qx = q % tw;
    const qy = (q - qx) / tw;
    let best = nnf[q]!;
    let bestDistance = distance[q]!;

    // Propagation from the already visited horizontal and vertical neighbour.
    const nx = qx + step;
    if (nx >= 0 && nx < tw) {
      const f = nnf[q + step]!;
      if (f >= 0) {
        const fx = (f % sw) - step;
        if (fx >= minX && fx <= maxX) {
          const candidate = f - step;
          if (candidate !== best && valid[candidate] === 1) {
            const fy = (f - (fx + step)) / sw;
            const d = patchDistance(tc, weight, tw, th, sc, sw, qx, qy, fx, fy, radius, bestDistance);
            if (d < bestDistance) {
              best = candidate;
              bestDistance = d;
            }
          }
        }
      }
    }
    const ny = qy + step;
    if (ny >= 0 && ny < th) {
      const f = nnf[q + step * tw]!;
      if (f >= 0) {
        const fx = f % sw;
        const fy = (f - fx) / sw - step;
        if (fy >= minY && fy <= maxY) {
          const candidate = fy * sw + fx;
          if (candidate !== best && valid[candidate] === 1) {
            const d = patchDistance(tc, weight, tw, th, sc, sw, qx, qy, fx, fy, radius, bestDistance);
            if (d < bestDistance) {
              best = candidate;
              bestDistance = d;
            }
          }
        }
      }
    }

    // Random search with an exponentially shrinking window (alpha = 1/2).
    for (let window = startRadius; window >= 1; window *= 0.5) {
      const bx = best % sw;
      const by = (best - bx) / sw;
      let cx = bx + Math.floor((random.next() * 2 - 1) * window + 0.5);
      let cy = by + Math.floor((random.next() * 2 - 1) * window + 0.5);
      cx = Math.max(minX, Math.min(maxX, cx));
      cy = Math.max(minY, Math.min(maxY, cy));
      const candidate = cy * sw + cx;
      if (candidate === best || valid[candidate] !== 1) continue;
      const d = patchDistance(tc, weight, tw, th, sc, sw, qx, qy, cx, cy, radius, bestDistance);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    nnf[q] = best;
    distance[q] = bestDistance;
  }
}

/**
 * Reconstruction: every hole pixel becomes the weighted mean of the pixels that the overlapping patches'
 * matches put there. Better matches weigh more, with a Cauchy-shaped weight (no exp: plain arithmetic keeps
 * the result identical on every JS engine) whose scale is the 75th percentile of this pass's distances.
 */
function vote(state: LevelState): void {
  const { target, source, radius, targets, patchWeight, nnf, distance, accumulated, voteWeight, samples } =
    state;
  const { width: tw, height: th, color: tc, hole } = target;
  const { width: sw, color: sc } = source;
  accumulated.fill(0);
  voteWeight.fill(0);

  const n = targets.length;
  const stride = n / samples.length;
  for (let s = 0; s < samples.length; s++) {
    const k = Math.floor(s * stride);
    samples[s] = distance[targets[k]!]! / Math.max(1e-9, patchWeight[k]!);
  }
  samples.sort();
  const scale = Math.max(1e-6, samples[Math.floor((samples.length - 1) * WEIGHT_PERCENTILE)] ?? 0);

  for (let k = 0; k < n; k++) {
    const q = targets[k]!;
    const qx = q % tw;
    const qy = (q - qx) / tw;
    const f = nnf[q]!;
    const fx = f % sw;
    const fy = (f - fx) / sw;
    const mean = distance[q]! / Math.max(1e-9, patchWeight[k]!);
    const w = scale / (scale + mean);
    const dy0 = qy - radius < 0 ? -qy : -radius;
    const dy1 = qy + radius >= th ? th - 1 - qy : radius;
    const dx0 = qx - radius < 0 ? -qx : -radius;
    const dx1 = qx + radius >= tw ? tw - 1 - qx : radius;
    for (let dy = dy0; dy <= dy1; dy++) {
      let ti = (qy + dy) * tw + qx + dx0;
      let si = (fy + dy) * sw + fx + dx0;
      for (let dx = dx0; dx <= dx1; dx++, ti++, si++) {
        if (hole[ti] === 0) continue;
        const t4 = ti * 4;
        const s4 = si * 4;
        accumulated[t4] = accumulated[t4]! + w * sc[s4]!;
        accumulated[t4 + 1] = accumulated[t4 + 1]! + w * sc[s4 + 1]!;
        accumulated[t4 + 2] = accumulated[t4 + 2]! + w * sc[s4 + 2]!;
        accumulated[t4 + 3] = accumulated[t4 + 3]! + w * sc[s4 + 3]!;
        voteWeight[ti] = voteWeight[ti]! + w;
      }
    }
  }
  // Written only after every vote is in, because without a separate source the target is also the source.
  for (let i = 0; i < hole.length; i++) {
    if (hole[i] === 0) continue;
    const total = voteWeight[i]!;
    if (total <= 0) continue;
    const i4 = i * 4;
    for (let c = 0; c < 4; c++) tc[i4 + c] = accumulated[i4 + c]! / total;
  }
}

/** Auto depth: halve until the hole fits in one patch or another halving would leave too little to match. */
function autoLevels(
  holeExtent: number,
  size: { width: number; height: number },
  sourceSize: { width: number; height: number },
  patchSize: number,
): number {
  let levels = 1;
  let extent = holeExtent;
  let w = size.width;
  let h = size.height;
  let sw = sourceSize.width;
  let sh = sourceSize.height;
  while (levels < MAX_PYRAMID_LEVELS && extent > patchSize) {
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
    sw = Math.ceil(sw / 2);
    sh = Math.ceil(sh / 2);
    if (Math.min(w, h, sw, sh) < 2 * patchSize) break;
    extent = Math.ceil(extent / 2);
    levels++;
  }
  return levels;
}

/** The deepest pyramid whose coarsest source level still fits a whole patch. */
function feasibleLevels(sourceSize: { width: number; height: number }, patchSize: number): number {
  let levels = 1;
  let sw = sourceSize.width;
  let sh = sourceSize.height;
  while (levels < MAX_PYRAMID_LEVELS) {
    sw = Math.ceil(sw / 2);
    sh = Math.ceil(sh / 2);
    if (Math.min(sw, sh) < patchSize) break;
    levels++;
  }
  return levels;
}

/**
 * PatchMatch content-aware fill (Barnes, Shechtman, Finkelstein, Goldman 2009, with the multi-scale EM
 * completion of Wexler et al. 2007) as a generator that yields after every iteration, so an async caller can
 * give the event loop a turn (and notice cancellation) between iterations.
 *
 * Per pyramid level, coarse to fine: a nearest-neighbour field maps every patch touching the hole to a source
 * patch (random at the coarsest level, upsampled from the coarser field after that); each iteration searches
 * (propagation in alternating scan order + random search with a shrinking radius) and then votes the hole's
 * pixels from the overlapping matches. Pixels with mask 0 come back byte-identical; partial mask values blend
 * the fill over the original. Deterministic: the only randomness is the seeded PRNG, and only IEEE-exact
 * arithmetic is used.
 */
export function* patchMatchSteps(
  image: RasterImage,
  mask: MaskImage,
  settings: PatchMatchSettings,
): Generator<PatchMatchProgress, RasterImage, void> {
  checkRaster(image, 'image');
  const { width, height } = image;
  if (mask == null || mask.width !== width || mask.height !== height || !ArrayBuffer.isView(mask.data)) {
    invalidImage(`The mask must be a ${width}×${height} Float32 coverage map`, {
      width: mask?.width,
      height: mask?.height,
    });
  }
  if (mask.data.length !== width * height) invalidImage('The mask data does not match its size');
  const source = settings.source ?? null;
  if (source) checkRaster(source, 'source image');
  const seed = settings.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    badInput(`Seed must be an integer between 0 and ${MAX_SEED}`, { seed });
  }
  const requestedPatch = optionalInteger(
    settings.patchSize,
    DEFAULT_PATCH_SIZE,
    1,
    MAX_PATCH_SIZE,
    'patchSize',
  );
  if (requestedPatch % 2 === 0) badInput('patchSize must be odd', { patchSize: requestedPatch });
  const iterations = optionalInteger(
    settings.iterations,
    DEFAULT_PATCHMATCH_ITERATIONS,
    1,
    MAX_ITERATIONS,
    'iterations',
  );
  const requestedLevels = optionalInteger(settings.pyramidLevels, 0, 1, MAX_PYRAMID_LEVELS, 'pyramidLevels');

  const coverage = new Float32Array(width * height);
  const hole = new Uint8Array(width * height);
  let holeCount = 0;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let i = 0; i < coverage.length; i++) {
    const m = mask.data[i]!;
    if (Number.isNaN(m)) badInput('The mask contains NaN', { index: i });
    const clamped = Math.max(0, Math.min(1, m));
    coverage[i] = clamped;
    if (clamped > 0) {
      hole[i] = 1;
      holeCount++;
      const x = i % width;
      const y = (i - x) / width;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }

  const output = new Uint8ClampedArray(image.data);
  if (holeCount === 0) {
    yield { step: 1, totalSteps: 1, fraction: 1, level: 0, levels: 1, iteration: 0 };
    return { width, height, data: output };
  }
  if (!source && holeCount === width * height) {
    badInput(
      'The mask covers the whole image and no source image was given, so there is nothing to copy from',
    );
  }

  const sourceSize = source ?? image;
  // A patch cannot be larger than the image it is copied from.
  let patchSize = Math.min(requestedPatch, Math.min(sourceSize.width, sourceSize.height));
  if (patchSize % 2 === 0) patchSize -= 1;
  const radius = (patchSize - 1) / 2;
  const holeExtent = Math.max(maxX - minX + 1, maxY - minY + 1);
  const levels = Math.min(
    requestedLevels > 0 ? requestedLevels : autoLevels(holeExtent, image, sourceSize, patchSize),
    feasibleLevels(sourceSize, patchSize),
  );

  // Pyramids, finest first.
  const targets: TargetLevel[] = [{ width, height, color: toFloat(image.data), hole }];
  for (let l = 1; l < levels; l++) {
    const finer = targets[l - 1]!;
    const coarser = downsample(finer.color, finer.hole, finer.width, finer.height);
    targets.push({ width: coarser.width, height: coarser.height, color: coarser.color, hole: coarser.hole! });
  }
  const sources: SourceLevel[] = [];
  if (source) {
    sources.push({ width: source.width, height: source.height, color: toFloat(source.data) });
    for (let l = 1; l < levels; l++) {
      const finer = sources[l - 1]!;
      const coarser = downsample(finer.color, null, finer.width, finer.height);
      sources.push({ width: coarser.width, height: coarser.height, color: coarser.color });
    }
  } else {
    // The image is its own source: valid source patches are those without hole pixels, which voting never
    // writes, so sharing the buffer is safe.
    for (const level of targets) sources.push(level);
  }

  const random = createRandom(seed);
  const totalSteps = levels * iterations;
  let step = 0;
  let previous: LevelState | null = null;
  for (let l = levels - 1; l >= 0; l--) {
    const target = targets[l]!;
    const state = createLevelState(target, sources[l]!, radius, source ? null : target.hole);
    if (previous) {
      // Bilinear upsampling alone would start the level blurred, and EM tends to keep a blurred estimate
      // (it matches flat patches best); voting through the upsampled field instead copies real
      // full-resolution detail from the start. The bilinear estimate only serves that first vote's weights.
      upsampleHole(previous.target, target);
      initialiseFromCoarser(state, previous, random);
      refreshDistances(state);
      vote(state);
    } else {
      onionPeelFill(target, meanColor(source ? sources[l]!.color : target.color));
      initialiseRandomly(state, random);
    }
    for (let iteration = 0; iteration < iterations; iteration++) {
      searchPass(state, (step & 1) === 0, random);
      vote(state);
      step++;
      yield { step, totalSteps, fraction: step / totalSteps, level: l, levels, iteration };
    }
    previous = state;
  }

  const fill = targets[0]!.color;
  for (let i = 0; i < coverage.length; i++) {
    const m = coverage[i]!;
    if (m === 0) continue;
    const i4 = i * 4;
    for (let c = 0; c < 4; c++) {
      const original = image.data[i4 + c]!;
      output[i4 + c] = m === 1 ? fill[i4 + c]! : original + (fill[i4 + c]! - original) * m;
    }
  }
  return { width, height, data: output };
}

function throwIfCancelled(signal: AbortSignal | null | undefined): void {
  if (signal?.aborted) throw new BackendError('CANCELLED', PATCHMATCH_NAME, 'Inpainting was cancelled');
}

/**
 * Synchronous PatchMatch fill (see patchMatchSteps). `signal` is checked before every iteration and cancels
 * with BackendError('CANCELLED'); onProgress hears each finished iteration.
 */
export function patchMatchInpaint(
  image: RasterImage,
  mask: MaskImage,
  options: PatchMatchOptions,
): RasterImage {
  const { onProgress, signal, ...settings } = options;
  throwIfCancelled(signal);
  const steps = patchMatchSteps(image, mask, settings);
  for (;;) {
    const result = steps.next();
    if (result.done) return result.value;
    onProgress?.(result.value);
    throwIfCancelled(signal);
  }
}
