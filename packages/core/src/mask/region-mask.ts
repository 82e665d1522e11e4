import { PakatiError } from '../errors.ts';
import { assertCanvasDimensions } from '../geometry/canvas.ts';
import type { Point } from '../geometry/polygon.ts';

/** Values this close to 0 or 1 are float residue, not coverage; snapping them keeps "outside" exactly 0. */
const SNAP_EPSILON = 1e-7;

/** Adds the samples [j0, j1) of one sub-scanline to per-pixel counts; S samples make up one pixel. */
function addSamples(counts: Uint32Array, j0: number, j1: number, samples: number): void {
  const p0 = Math.floor(j0 / samples);
  const p1 = Math.floor((j1 - 1) / samples);
  if (p0 === p1) {
    counts[p0]! += j1 - j0;
    return;
  }
  counts[p0]! += (p0 + 1) * samples - j0;
  for (let p = p0 + 1; p < p1; p++) counts[p]! += samples;
  counts[p1]! += j1 - p1 * samples;
}

/**
 * Anti-aliased coverage of an even-odd polygon: each pixel gets the fraction of its S×S sub-sample grid (at
 * sub-pixel centres) that falls inside. Scanline spans make the cost proportional to rows × edges rather than
 * pixels × edges, and only the polygon's rows are visited.
 */
export function rasterizeMask(
  points: readonly Point[],
  width: number,
  height: number,
  samplesPerAxis = 4,
): Float32Array {
  assertCanvasDimensions({ width, height });
  if (!Number.isInteger(samplesPerAxis) || samplesPerAxis < 1 || samplesPerAxis > 16) {
    throw new PakatiError('BAD_USER_INPUT', 'samplesPerAxis must be an integer between 1 and 16', {
      samplesPerAxis,
    });
  }
  const mask = new Float32Array(width * height);
  const n = points.length;
  if (n < 3) return mask;

  const ex0 = new Float64Array(n);
  const ey0 = new Float64Array(n);
  const ex1 = new Float64Array(n);
  const ey1 = new Float64Array(n);
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % n]!;
    if (!Number.isFinite(a.x) || !Number.isFinite(a.y)) {
      throw new PakatiError('INVALID_POLYGON', `Polygon point ${i} has a non-finite coordinate`, {
        reason: 'NOT_FINITE',
        index: i,
      });
    }
    ex0[i] = a.x;
    ey0[i] = a.y;
    ex1[i] = b.x;
    ey1[i] = b.y;
    if (a.y < minY) minY = a.y;
    if (a.y > maxY) maxY = a.y;
  }

  const S = samplesPerAxis;
  const fullSamples = S * S;
  const sampleWidth = width * S;
  const rowStart = Math.max(0, Math.floor(minY));
  const rowEnd = Math.min(height, Math.ceil(maxY));
  const counts = new Uint32Array(width);
  const crossings = new Float64Array(n);

  for (let row = rowStart; row < rowEnd; row++) {
    let touchedMin = width;
    let touchedMax = -1;
    for (let s = 0; s < S; s++) {
      const yc = row + (s + 0.5) / S;
      let k = 0;
      for (let e = 0; e < n; e++) {
        const y0 = ey0[e]!;
        const y1 = ey1[e]!;
        // Half-open rule: a vertex exactly on the scanline is counted by exactly one of its two edges.
        if (y0 <= yc !== y1 <= yc) {
          const x0 = ex0[e]!;
          crossings[k++] = x0 + ((yc - y0) * (ex1[e]! - x0)) / (y1 - y0);
        }
      }
      if (k < 2) continue;
      const sorted = crossings.subarray(0, k).sort();
      for (let i = 0; i + 1 < k; i += 2) {
        // Sample j sits at (j + 0.5) / S; it is inside when xa <= that < xb.
        const j0 = Math.max(0, Math.ceil(sorted[i]! * S - 0.5));
        const j1 = Math.min(sampleWidth, Math.ceil(sorted[i + 1]! * S - 0.5));
        if (j1 <= j0) continue;
        addSamples(counts, j0, j1, S);
        const p0 = Math.floor(j0 / S);
        const p1 = Math.floor((j1 - 1) / S);
        if (p0 < touchedMin) touchedMin = p0;
        if (p1 > touchedMax) touchedMax = p1;
      }
    }
    const base = row * width;
    for (let px = touchedMin; px <= touchedMax; px++) {
      mask[base + px] = counts[px]! / fullSamples;
      counts[px] = 0;
    }
  }
  return mask;
}

/** Box blur along rows, averaging only in-bounds neighbours so full coverage stays 1 at the canvas edge. */
function blurRows(src: Float32Array, dst: Float32Array, width: number, height: number, radius: number): void {
  for (let y = 0; y < height; y++) {
    const base = y * width;
    let sum = 0;
    for (let x = 0; x < Math.min(radius, width); x++) sum += src[base + x]!;
    for (let x = 0; x < width; x++) {
      const incoming = x + radius;
      const outgoing = x - radius - 1;
      if (incoming < width) sum += src[base + incoming]!;
      if (outgoing >= 0) sum -= src[base + outgoing]!;
      const count = Math.min(width - 1, incoming) - Math.max(0, x - radius) + 1;
      dst[base + x] = sum / count;
    }
  }
}

/** Column pass done row by row with a running sum per column, which keeps memory access sequential. */
function blurColumns(
  src: Float32Array,
  dst: Float32Array,
  width: number,
  height: number,
  radius: number,
): void {
  const sums = new Float64Array(width);
  for (let y = 0; y < Math.min(radius, height); y++) {
    const base = y * width;
    for (let x = 0; x < width; x++) sums[x]! += src[base + x]!;
  }
  for (let y = 0; y < height; y++) {
    const incoming = y + radius;
    const outgoing = y - radius - 1;
    if (incoming < height) {
      const base = incoming * width;
      for (let x = 0; x < width; x++) sums[x]! += src[base + x]!;
    }
    if (outgoing >= 0) {
      const base = outgoing * width;
      for (let x = 0; x < width; x++) sums[x]! -= src[base + x]!;
    }
    const count = Math.min(height - 1, incoming) - Math.max(0, y - radius) + 1;
    const base = y * width;
    for (let x = 0; x < width; x++) dst[base + x] = sums[x]! / count;
  }
}

/**
 * Softens a coverage mask with three separable box blurs (≈ gaussian). The three radii add up to radiusPx, so
 * the feather never reaches further than radiusPx beyond the original coverage.
 */
export function featherMask(
  mask: Float32Array,
  width: number,
  height: number,
  radiusPx: number,
): Float32Array {
  assertCanvasDimensions({ width, height });
  if (mask.length !== width * height) {
    throw new PakatiError(
      'BAD_USER_INPUT',
      `Mask has ${mask.length} values but the canvas has ${width * height}`,
      {
        length: mask.length,
        width,
        height,
      },
    );
  }
  if (!Number.isFinite(radiusPx) || radiusPx < 0) {
    throw new PakatiError('BAD_USER_INPUT', 'Feather radius must be a finite number >= 0', { radiusPx });
  }
  const total = Math.round(radiusPx);
  if (total === 0) return mask.slice();
  const base = Math.floor(total / 3);
  const rest = total % 3;
  const radii = [base + (rest > 0 ? 1 : 0), base + (rest > 1 ? 1 : 0), base];

  const current = mask.slice();
  const scratch = new Float32Array(mask.length);
  for (const radius of radii) {
    if (radius === 0) continue;
    blurRows(current, scratch, width, height, radius);
    blurColumns(scratch, current, width, height, radius);
  }
  for (let i = 0; i < current.length; i++) {
    const v = current[i]!;
    if (v < SNAP_EPSILON) current[i] = 0;
    else if (v > 1 - SNAP_EPSILON) current[i] = 1;
  }
  return current;
}
