/** The standard SSIM window: Gaussian, σ = 1.5, truncated to 11 × 11 (Wang et al. 2004). */
const SIGMA = 1.5;
const RADIUS = 5;
const KERNEL = (() => {
  const kernel = new Float64Array(2 * RADIUS + 1);
  for (let i = -RADIUS; i <= RADIUS; i++) kernel[i + RADIUS] = Math.exp(-(i * i) / (2 * SIGMA * SIGMA));
  return kernel;
})();
// Constants for an 8-bit dynamic range: K1 = 0.01, K2 = 0.03.
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** Separable Gaussian blur of a bw × bh field; windows are clipped at the edges (the weights renormalise). */
function blur(field: Float64Array, bw: number, bh: number, tmp: Float64Array): Float64Array {
  for (let y = 0; y < bh; y++) {
    const row = y * bw;
    for (let x = 0; x < bw; x++) {
      let sum = 0;
      const k0 = Math.max(-RADIUS, -x);
      const k1 = Math.min(RADIUS, bw - 1 - x);
      for (let k = k0; k <= k1; k++) sum += KERNEL[k + RADIUS]! * field[row + x + k]!;
      tmp[row + x] = sum;
    }
  }
  const out = new Float64Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    const k0 = Math.max(-RADIUS, -y);
    const k1 = Math.min(RADIUS, bh - 1 - y);
    for (let x = 0; x < bw; x++) {
      let sum = 0;
      for (let k = k0; k <= k1; k++) sum += KERNEL[k + RADIUS]! * tmp[(y + k) * bw + x]!;
      out[y * bw + x] = sum;
    }
  }
  return out;
}

/**
 * SSIM between two single-channel images restricted to the pixels where `weight` > 0 (weights in [0, 1]).
 * Each window's means, variances and covariance are taken over hidden pixels only (Gaussian × weight), so
 * visible context that a backend hands back unchanged cannot pull the score up; the per-pixel SSIM is then
 * averaged over the hidden pixels, weighted again. Only the weight's bounding box is processed. Returns 1
 * when nothing is weighted (nothing to compare).
 */
export function maskedSsim(
  a: Float64Array,
  b: Float64Array,
  weight: ArrayLike<number>,
  width: number,
  height: number,
): number {
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (weight[y * width + x]! > 0) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (maxX < 0) return 1;
  const bw = maxX - minX + 1;
  const bh = maxY - minY + 1;
  const n = bw * bh;
  const w = new Float64Array(n);
  const wa = new Float64Array(n);
  const wb = new Float64Array(n);
  const waa = new Float64Array(n);
  const wbb = new Float64Array(n);
  const wab = new Float64Array(n);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const src = (y + minY) * width + x + minX;
      const m = Math.max(0, weight[src]!);
      const va = a[src]!;
      const vb = b[src]!;
      const i = y * bw + x;
      w[i] = m;
      wa[i] = m * va;
      wb[i] = m * vb;
      waa[i] = m * va * va;
      wbb[i] = m * vb * vb;
      wab[i] = m * va * vb;
    }
  }
  const tmp = new Float64Array(n);
  const sw = blur(w, bw, bh, tmp);
  const sa = blur(wa, bw, bh, tmp);
  const sb = blur(wb, bw, bh, tmp);
  const saa = blur(waa, bw, bh, tmp);
  const sbb = blur(wbb, bw, bh, tmp);
  const sab = blur(wab, bw, bh, tmp);
  let total = 0;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const m = w[i]!;
    if (m === 0) continue;
    // Positive: the window's own centre pixel is weighted.
    const norm = sw[i]!;
    const ma = sa[i]! / norm;
    const mb = sb[i]! / norm;
    // Rounding can push a zero variance slightly negative.
    const va = Math.max(0, saa[i]! / norm - ma * ma);
    const vb = Math.max(0, sbb[i]! / norm - mb * mb);
    const cov = sab[i]! / norm - ma * mb;
    const ssim = ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
    total += m * ssim;
    totalWeight += m;
  }
  return total / totalWeight;
}
