import type { MaskImage } from '../backends/raster.ts';
import { PakatiError } from '../errors.ts';
import type { BoundingBox } from '../geometry/polygon.ts';
import type { Lab } from './color-space.ts';
import { sobelMagnitude } from './filters.ts';
import { dominantPalette, type PaletteColor } from './palette.ts';
import type { LabPlanes } from './pixel-features.ts';
import type { SsimMoments } from './ssim.ts';

/** A region to analyse: a canvas-sized coverage mask (values outside [0, 1] are clamped). */
export interface AnalysisRegion {
  id: string;
  mask: MaskImage;
  /**
   * Where the coverage lies, when the caller knows it (a polygon's pixel box): the tight box is then searched
   * inside it instead of over the whole canvas. Coverage outside it is ignored.
   */
  bounds?: BoundingBox;
}

/** Everything the statistics pass reads, one value per pixel, row-major. */
export interface AnalysisPlanes {
  width: number;
  height: number;
  /** Rec. 709 luma of the gamma-encoded values, 0..255. */
  luma: Float32Array;
  lab: LabPlanes;
  /** 4-neighbour Laplacian of the luma. */
  laplacian: Float32Array;
  /** Sobel gradient magnitude of the luma. */
  gradient: Float32Array;
}

/** Marginal L*, a*, b* histograms, each normalised to sum 1. */
export interface LabHistogram {
  /** L* over [0, 100] in HISTOGRAM_BINS equal bins. */
  L: number[];
  /** a* over [−128, 128). */
  a: number[];
  /** b* over [−128, 128). */
  b: number[];
}

/**
 * Where the region's structure sits, measured on its structure thumbnail: edges at that scale are the layout,
 * while full-resolution gradients follow texture, noise and focus (a blurred copy would otherwise move them).
 */
export interface RegionComposition {
  /** Coverage-weighted centre of mass of the Sobel magnitude, 0..1 across the region's box. */
  x: number;
  y: number;
  /** Share of the gradient energy in each cell of a 3×3 grid over the box, row-major, sums to 1. */
  grid: number[];
}

/**
 * The region's box scaled down to at most STRUCTURE_SIZE pixels on its long side (area averages), so two
 * regions of different sizes can be compared by SSIM after resizing both to one box.
 */
export interface StructureThumbnail {
  width: number;
  height: number;
  /** Mean luma (0..255) of every box pixel in the cell, inside the region or not: SSIM windows need context. */
  luma: Float32Array;
  /** Mean coverage of the cell: the weight of its SSIM. */
  coverage: Float32Array;
}

/** Statistics of one region from the single pass; the analyzer adds the SSIM moments of the thumbnail. */
export interface RegionMeasurements {
  id: string;
  /** Bounding box of the coverage, in canvas pixels. */
  box: BoundingBox;
  /** Σ coverage, in pixels. */
  area: number;
  meanLab: Lab;
  /** Mean L* / 100. */
  brightness: number;
  /** Standard deviation of L* / 50, clamped to 1. */
  contrast: number;
  /** Mean HSV saturation. */
  saturation: number;
  /** 0 = cool (blue-cyan), 0.5 = neutral, 1 = warm (orange-red); see `warmthOf`. */
  warmth: number;
  /** See `sharpnessOf`. */
  sharpness: number;
  /** Coverage-weighted variance of the luma Laplacian. */
  laplacianVariance: number;
  /** Coverage-weighted mean Sobel magnitude. */
  meanGradient: number;
  /** Coverage-weighted share of edge pixels (soft threshold, see `edgeStrength`). */
  edgeDensity: number;
  histogram: LabHistogram;
  /** Sobel magnitude on a log scale in GRADIENT_BINS bins (see `gradientBin`), normalised: the texture signature. */
  gradientHistogram: number[];
  composition: RegionComposition;
  palette: PaletteColor[];
  structure: StructureThumbnail;
}

export interface RegionStats extends RegionMeasurements {
  structure: StructureThumbnail & { moments: SsimMoments };
}

export const CANVAS_REGION_ID = 'canvas';
export const HISTOGRAM_BINS = 32;
export const GRADIENT_BINS = 16;
export const STRUCTURE_SIZE = 128;
/** Upper bound on the k-means subsample per region: palettes settle well before this. */
export const PALETTE_SAMPLES = 2048;

/** Largest Sobel magnitude of a 0..255 plane: a full black/white step along a diagonal. */
const GRADIENT_MAX = 4 * 255 * Math.SQRT2;
/** Soft edge threshold on the Sobel magnitude (a 0..255 step of height h gives 4h): 10 to 30 grey levels. */
const EDGE_LOW = 40;
const EDGE_HIGH = 120;
/** The warm–cool axis in the a*b* plane: hue 55° (orange) against 235° (blue-cyan). */
const WARMTH_HUE = (55 * Math.PI) / 180;
/** ΔE along the warm axis that gives tanh(1): a clearly tinted image, about 0.88 warmth. */
const WARMTH_SCALE = 25;
/** Laplacian standard deviation (luma units) at which sharpness reaches 1 − 1/e. */
const SHARPNESS_SCALE = 20;

/**
 * The gradient histogram's log scale starts at the Sobel response of a 2-grey-level step: below that lie sensor
 * noise and compression residue, which would otherwise fill the lowest bins and make a re-encoded copy look
 * like a different texture.
 */
const GRADIENT_FLOOR = 8;
const GRADIENT_LUT_SIZE = Math.ceil(GRADIENT_MAX) + 1;
const GRADIENT_BIN_LUT = (() => {
  const lut = new Uint8Array(GRADIENT_LUT_SIZE);
  const scale = GRADIENT_BINS / Math.log2(1 + GRADIENT_MAX / GRADIENT_FLOOR);
  for (let g = 0; g < lut.length; g++) {
    lut[g] = Math.min(GRADIENT_BINS - 1, Math.floor(Math.log2(1 + g / GRADIENT_FLOOR) * scale));
  }
  return lut;
})();

/** Bin of a Sobel magnitude in the gradient histogram: ⌊16·log2(1 + ⌊g⌋/8) / log2(1 + max/8)⌋. */
export function gradientBin(magnitude: number): number {
  return GRADIENT_BIN_LUT[Math.min(GRADIENT_LUT_SIZE - 1, magnitude | 0)]!;
}

/** How much of an edge a Sobel magnitude is: 0 below EDGE_LOW, 1 above EDGE_HIGH, linear between. */
export function edgeStrength(magnitude: number): number {
  return magnitude <= EDGE_LOW
    ? 0
    : magnitude >= EDGE_HIGH
      ? 1
      : (magnitude - EDGE_LOW) / (EDGE_HIGH - EDGE_LOW);
}

/** Warmth from mean a*, b*: the projection on the warm axis through tanh, so neutral grey is exactly 0.5. */
export function warmthOf(meanA: number, meanB: number): number {
  const along = meanA * Math.cos(WARMTH_HUE) + meanB * Math.sin(WARMTH_HUE);
  return 0.5 + 0.5 * Math.tanh(along / WARMTH_SCALE);
}

/** Sharpness from the Laplacian variance: 1 − exp(−σ/20); 0 for a flat region, saturating towards 1. */
export function sharpnessOf(laplacianVariance: number): number {
  return 1 - Math.exp(-Math.sqrt(Math.max(0, laplacianVariance)) / SHARPNESS_SCALE);
}

/**
 * The box of all pixels whose coverage is not +0, searched within `within` (default: the whole mask), or null
 * when there are none. Rows are tested by OR-ing the float bit patterns, a branch-free scan that matters because
 * most rows of a small region are empty. Negative or NaN values count as set here (they widen the box, never
 * lose coverage); the statistics pass clamps them to 0.
 */
export function coverageBox(mask: MaskImage, within?: BoundingBox): BoundingBox | null {
  const { width, height, data } = mask;
  const x0 = Math.max(0, Math.floor(within?.x ?? 0));
  const y0 = Math.max(0, Math.floor(within?.y ?? 0));
  const x1 = Math.min(width, Math.ceil(within ? within.x + within.width : width));
  const y1 = Math.min(height, Math.ceil(within ? within.y + within.height : height));
  if (x1 <= x0 || y1 <= y0) return null;
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const rowIsSet = (y: number) => {
    let any = 0;
    for (let i = y * width + x0, end = y * width + x1; i < end; i++) any |= bits[i]!;
    return any !== 0;
  };
  let top = y0;
  while (top < y1 && !rowIsSet(top)) top++;
  if (top === y1) return null;
  let bottom = y1 - 1;
  while (bottom > top && !rowIsSet(bottom)) bottom--;
  let left = x1;
  let right = x0 - 1;
  for (let y = top; y <= bottom; y++) {
    const base = y * width;
    let x = x0;
    while (x < left && bits[base + x] === 0) x++;
    left = x;
    x = x1 - 1;
    while (x > right && bits[base + x] === 0) x--;
    right = x;
  }
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

// Scalar sums per region, kept in one Float64Array.
const W = 0;
const SUM_L = 1;
const SUM_A = 2;
const SUM_B = 3;
const SUM_LL = 4;
const SUM_S = 5;
const SUM_LAP = 6;
const SUM_LAP2 = 7;
const SUM_G = 8;
const SUM_EDGE = 9;
const FIELDS = 10;

/** Maps box offsets to cells of a coarser grid with `cells` cells along `length` pixels. */
function cellMap(length: number, cells: number, stride: number): Int32Array {
  const map = new Int32Array(length);
  for (let i = 0; i < length; i++) map[i] = Math.min(cells - 1, Math.floor((i * cells) / length)) * stride;
  return map;
}

class RegionAccumulator {
  readonly sums = new Float64Array(FIELDS);
  readonly histogram = new Float64Array(3 * HISTOGRAM_BINS);
  readonly gradientHistogram = new Float64Array(GRADIENT_BINS);
  readonly thumbWidth: number;
  readonly thumbHeight: number;
  readonly thumbLuma: Float64Array;
  readonly thumbCoverage: Float64Array;
  readonly thumbColumns: Int32Array;
  readonly thumbRows: Int32Array;
  readonly sampleStride: number;
  readonly samples: Float32Array;
  sampleCount = 0;

  constructor(
    readonly id: string,
    readonly box: BoundingBox,
    readonly mask: Float32Array | null,
  ) {
    const scale = Math.min(1, STRUCTURE_SIZE / Math.max(box.width, box.height));
    this.thumbWidth = Math.max(1, Math.round(box.width * scale));
    this.thumbHeight = Math.max(1, Math.round(box.height * scale));
    this.thumbLuma = new Float64Array(this.thumbWidth * this.thumbHeight);
    this.thumbCoverage = new Float64Array(this.thumbWidth * this.thumbHeight);
    this.thumbColumns = cellMap(box.width, this.thumbWidth, 1);
    this.thumbRows = cellMap(box.height, this.thumbHeight, this.thumbWidth);
    this.sampleStride = Math.max(1, Math.ceil(Math.sqrt((box.width * box.height) / PALETTE_SAMPLES)));
    const capacity = Math.ceil(box.width / this.sampleStride) * Math.ceil(box.height / this.sampleStride);
    this.samples = new Float32Array(capacity * 4);
  }
}

/**
 * Everything per pixel that does not depend on the region, computed once per row: the three histogram bins
 * (offsets into the region's 3 × 32 histogram, 7 bits each) and the gradient bin packed in one integer, and the
 * edge strength.
 */
function prepareRow(planes: AnalysisPlanes, y: number, bins: Int32Array, edges: Float32Array): void {
  const { gradient } = planes;
  const { L: Lp, a: Ap, b: Bp } = planes.lab;
  const rowStart = y * planes.width;
  for (let x = 0; x < planes.width; x++) {
    const i = rowStart + x;
    const L = Lp[i]!;
    const a = Ap[i]!;
    const b = Bp[i]!;
    const g = gradient[i]!;
    const binL = Math.min(HISTOGRAM_BINS - 1, Math.max(0, (L * (HISTOGRAM_BINS / 100)) | 0));
    const binA = Math.min(HISTOGRAM_BINS - 1, Math.max(0, ((a + 128) * (HISTOGRAM_BINS / 256)) | 0));
    const binB = Math.min(HISTOGRAM_BINS - 1, Math.max(0, ((b + 128) * (HISTOGRAM_BINS / 256)) | 0));
    const binG = GRADIENT_BIN_LUT[Math.min(GRADIENT_LUT_SIZE - 1, g | 0)]!;
    bins[x] = binL | ((HISTOGRAM_BINS + binA) << 7) | ((2 * HISTOGRAM_BINS + binB) << 14) | (binG << 21);
    edges[x] = Math.min(1, Math.max(0, (g - EDGE_LOW) / (EDGE_HIGH - EDGE_LOW)));
  }
}

/** Adds one row of one region's box to its sums: the inner loop of the whole analysis. */
function accumulateRow(
  acc: RegionAccumulator,
  planes: AnalysisPlanes,
  y: number,
  bins: Int32Array,
  edges: Float32Array,
  ones: Float32Array,
): void {
  const { box, mask, sums, histogram, gradientHistogram, thumbLuma, thumbCoverage, thumbColumns } = acc;
  const { luma, laplacian, gradient } = planes;
  const { L: Lp, a: Ap, b: Bp, saturation } = planes.lab;
  const rowStart = y * planes.width + box.x;
  const thumbRow = acc.thumbRows[y - box.y]!;
  // The canvas has no mask: it reads a row of ones instead, so the loop has no branch on it.
  const weights = mask ?? ones;
  const weightStart = mask === null ? 0 : rowStart;
  let sw = 0;
  let sL = 0;
  let sA = 0;
  let sB = 0;
  let sLL = 0;
  let sS = 0;
  let sLap = 0;
  let sLap2 = 0;
  let sG = 0;
  let sEdge = 0;
  for (let lx = 0; lx < box.width; lx++) {
    const i = rowStart + lx;
    const cell = thumbRow + thumbColumns[lx]!;
    thumbLuma[cell]! += luma[i]!;
    const w = Math.min(1, Math.max(0, weights[weightStart + lx]!));
    thumbCoverage[cell]! += w;
    const L = Lp[i]!;
    const lap = laplacian[i]!;
    sw += w;
    sL += w * L;
    sA += w * Ap[i]!;
    sB += w * Bp[i]!;
    sLL += w * L * L;
    sS += w * saturation[i]!;
    sLap += w * lap;
    sLap2 += w * lap * lap;
    sG += w * gradient[i]!;
    sEdge += w * edges[box.x + lx]!;
    const packed = bins[box.x + lx]!;
    histogram[packed & 127]! += w;
    histogram[(packed >> 7) & 127]! += w;
    histogram[(packed >> 14) & 127]! += w;
    gradientHistogram[packed >> 21]! += w;
  }
  sums[W]! += sw;
  sums[SUM_L]! += sL;
  sums[SUM_A]! += sA;
  sums[SUM_B]! += sB;
  sums[SUM_LL]! += sLL;
  sums[SUM_S]! += sS;
  sums[SUM_LAP]! += sLap;
  sums[SUM_LAP2]! += sLap2;
  sums[SUM_G]! += sG;
  sums[SUM_EDGE]! += sEdge;

  const offset = y - box.y - (acc.sampleStride >> 1);
  if (offset >= 0 && offset % acc.sampleStride === 0) {
    for (let lx = acc.sampleStride >> 1; lx < box.width; lx += acc.sampleStride) {
      const i = rowStart + lx;
      const w = mask === null ? 1 : Math.min(1, mask[i]!);
      if (!(w > 0)) continue;
      const s = acc.sampleCount++ * 4;
      acc.samples[s] = Lp[i]!;
      acc.samples[s + 1] = Ap[i]!;
      acc.samples[s + 2] = Bp[i]!;
      acc.samples[s + 3] = w;
    }
  }
}

function compositionOf(
  width: number,
  height: number,
  luma: Float32Array,
  coverage: Float32Array,
): RegionComposition {
  const gradient = sobelMagnitude(luma, width, height);
  const columns = cellMap(width, 3, 1);
  const rows = cellMap(height, 3, 3);
  const grid = new Array<number>(9).fill(0);
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const m = coverage[y * width + x]! * gradient[y * width + x]!;
      mass += m;
      sx += m * (x + 0.5);
      sy += m * (y + 0.5);
      grid[rows[y]! + columns[x]!]! += m;
    }
  }
  if (mass === 0) return { x: 0.5, y: 0.5, grid: grid.fill(1 / 9) };
  return { x: sx / mass / width, y: sy / mass / height, grid: grid.map((v) => v / mass) };
}

function normalise(values: Float64Array, start: number, length: number, total: number): number[] {
  const out = new Array<number>(length);
  for (let i = 0; i < length; i++) out[i] = values[start + i]! / total;
  return out;
}

function finish(acc: RegionAccumulator): RegionMeasurements {
  const { sums, box } = acc;
  const w = sums[W]!;
  if (!(w > 0)) {
    throw new PakatiError('BAD_USER_INPUT', `Region ${acc.id} covers no pixel (or its mask is not finite)`, {
      id: acc.id,
    });
  }
  const meanL = sums[SUM_L]! / w;
  const meanA = sums[SUM_A]! / w;
  const meanB = sums[SUM_B]! / w;
  const varianceL = Math.max(0, sums[SUM_LL]! / w - meanL * meanL);
  const meanLap = sums[SUM_LAP]! / w;
  const laplacianVariance = Math.max(0, sums[SUM_LAP2]! / w - meanLap * meanLap);

  const { thumbWidth: tw, thumbHeight: th } = acc;
  const cellWidths = new Float64Array(tw);
  const cellHeights = new Float64Array(th);
  for (let lx = 0; lx < box.width; lx++) cellWidths[acc.thumbColumns[lx]!]! += 1;
  for (let ly = 0; ly < box.height; ly++) cellHeights[acc.thumbRows[ly]! / tw]! += 1;
  const luma = new Float32Array(tw * th);
  const coverage = new Float32Array(tw * th);
  for (let ty = 0; ty < th; ty++) {
    for (let tx = 0; tx < tw; tx++) {
      const cell = ty * tw + tx;
      const count = cellWidths[tx]! * cellHeights[ty]!;
      luma[cell] = acc.thumbLuma[cell]! / count;
      coverage[cell] = acc.thumbCoverage[cell]! / count;
    }
  }

  return {
    id: acc.id,
    box: { ...box },
    area: w,
    meanLab: { L: meanL, a: meanA, b: meanB },
    brightness: Math.min(1, Math.max(0, meanL / 100)),
    contrast: Math.min(1, Math.sqrt(varianceL) / 50),
    saturation: sums[SUM_S]! / w,
    warmth: warmthOf(meanA, meanB),
    sharpness: sharpnessOf(laplacianVariance),
    laplacianVariance,
    meanGradient: sums[SUM_G]! / w,
    edgeDensity: sums[SUM_EDGE]! / w,
    histogram: {
      L: normalise(acc.histogram, 0, HISTOGRAM_BINS, w),
      a: normalise(acc.histogram, HISTOGRAM_BINS, HISTOGRAM_BINS, w),
      b: normalise(acc.histogram, 2 * HISTOGRAM_BINS, HISTOGRAM_BINS, w),
    },
    gradientHistogram: normalise(acc.gradientHistogram, 0, GRADIENT_BINS, w),
    composition: compositionOf(tw, th, luma, coverage),
    palette: dominantPalette(acc.samples, acc.sampleCount),
    structure: { width: tw, height: th, luma, coverage },
  };
}

function validateRegions(regions: readonly AnalysisRegion[], width: number, height: number): void {
  const seen = new Set<string>();
  for (const region of regions) {
    if (typeof region.id !== 'string' || region.id.length === 0) {
      throw new PakatiError('BAD_USER_INPUT', 'Every analysed region needs a non-empty id');
    }
    if (seen.has(region.id)) {
      throw new PakatiError('BAD_USER_INPUT', `Region id ${region.id} is used twice`, { id: region.id });
    }
    seen.add(region.id);
    const { mask, bounds } = region;
    if (bounds !== undefined && ![bounds.x, bounds.y, bounds.width, bounds.height].every(Number.isFinite)) {
      throw new PakatiError('BAD_USER_INPUT', `The bounds of region ${region.id} must be finite numbers`, {
        id: region.id,
        bounds,
      });
    }
    if (mask.width !== width || mask.height !== height || mask.data.length !== width * height) {
      throw new PakatiError(
        'BAD_USER_INPUT',
        `The mask of region ${region.id} does not match the image size`,
        {
          id: region.id,
          mask: { width: mask.width, height: mask.height, length: mask.data.length },
          image: { width, height },
        },
      );
    }
  }
}

/**
 * Statistics of every region and of the whole canvas in one pass: each image row is visited once, and each
 * region whose box spans that row adds the row's pixels under its mask to its own sums. Work is the canvas plus
 * the sum of the boxes, never a full-image pass per region or per metric.
 */
export function measureRegions(
  planes: AnalysisPlanes,
  regions: readonly AnalysisRegion[],
): { canvas: RegionMeasurements; regions: RegionMeasurements[] } {
  const { width, height } = planes;
  validateRegions(regions, width, height);
  const canvas = new RegionAccumulator(CANVAS_REGION_ID, { x: 0, y: 0, width, height }, null);
  const accumulators = regions.map((region) => {
    const box = coverageBox(region.mask, region.bounds);
    if (box === null) {
      throw new PakatiError('BAD_USER_INPUT', `Region ${region.id} covers no pixel`, { id: region.id });
    }
    return new RegionAccumulator(region.id, box, region.mask.data);
  });
  const bins = new Int32Array(width);
  const edges = new Float32Array(width);
  const ones = new Float32Array(width).fill(1);
  for (let y = 0; y < height; y++) {
    prepareRow(planes, y, bins, edges);
    accumulateRow(canvas, planes, y, bins, edges, ones);
    for (const acc of accumulators) {
      if (y >= acc.box.y && y < acc.box.y + acc.box.height) accumulateRow(acc, planes, y, bins, edges, ones);
    }
  }
  return { canvas: finish(canvas), regions: accumulators.map(finish) };
}
