// `node --import tsx bench/analysis.bench.ts` (packages/backends): region analysis of a 1024x1024 photograph with
// 8 regions (plus the implicit canvas region) on the sharp kernel and on the JavaScript kernel, against two
// baselines measured in the same run: the straightforward JavaScript implementation (a full-image pass per
// region per statistic, as the original did it) and libvips doing only the filters. Targets are printed, not
// asserted: <= 150 ms, >= 3x the straightforward implementation, within 2x of the libvips-only pipeline.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  type AnalysisKernel,
  type AnalysisRegion,
  analyzeImage,
  boundingBox,
  dominantPalette,
  edgeStrength,
  ellipse,
  gradientBin,
  hsvSaturation,
  jsKernel,
  laplacian,
  overallDelta,
  type RasterImage,
  rasterizeMask,
  rec709Luma,
  rectangle,
  regionDeltas,
  rgbToLab,
  sharpnessOf,
  sobelMagnitude,
  ssimMomentsSync,
  warmthOf,
} from '@pakati/core';
import sharp, { type Sharp } from 'sharp';
import { sharpKernel } from '../src/index.ts';

const SIZE = 1024;

async function photo(name: string): Promise<RasterImage> {
  const bytes = readFileSync(new URL(`../../../fixtures/photos/${name}`, import.meta.url));
  const { data } = await sharp(bytes)
    .resize(SIZE, SIZE, { fit: 'fill', kernel: 'lanczos3' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: SIZE,
    height: SIZE,
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** Eight overlapping regions of mixed shape and size, the way a user draws them on a canvas. */
function regionsFor(size: number): AnalysisRegion[] {
  const s = size / 1024;
  const shapes = [
    rectangle(40 * s, 40 * s, 420 * s, 300 * s),
    ellipse(700 * s, 220 * s, 250 * s, 170 * s),
    rectangle(100 * s, 380 * s, 260 * s, 520 * s),
    ellipse(520 * s, 560 * s, 180 * s, 220 * s),
    rectangle(640 * s, 420 * s, 360 * s, 300 * s),
    ellipse(260 * s, 880 * s, 230 * s, 120 * s),
    rectangle(560 * s, 760 * s, 440 * s, 240 * s),
    ellipse(512 * s, 512 * s, 120 * s, 120 * s),
  ];
  // Regions come from polygons, so their bounds are known and passed on: no full-canvas scan per mask.
  return shapes.map((points, i) => ({
    id: `region-${i}`,
    mask: { width: size, height: size, data: rasterizeMask(points, size, size) },
    bounds: boundingBox(points),
  }));
}

/**
 * The straightforward implementation: every statistic of every region is its own pass over the whole image,
 * converting pixels with the exact colour formulas each time and filtering the whole image per region.
 * It computes the same statistics as the analyzer (checked below), only without sharing any work.
 */
function straightforwardAnalysis(image: RasterImage, regions: AnalysisRegion[]) {
  const { width, height, data } = image;
  const n = width * height;
  const all = [{ id: 'canvas', mask: { width, height, data: new Float32Array(n).fill(1) } }, ...regions];
  const lumaOf = () => {
    const luma = new Float32Array(n);
    for (let i = 0; i < n; i++) luma[i] = rec709Luma(data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!);
    return luma;
  };
  const labAt = (i: number) => rgbToLab(data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!);
  return all.map(({ id, mask }) => {
    const m = mask.data;
    let w = 0;
    for (let i = 0; i < n; i++) w += m[i]!;
    // Mean colour.
    let sL = 0;
    let sA = 0;
    let sB = 0;
    for (let i = 0; i < n; i++) {
      if (m[i]! <= 0) continue;
      const lab = labAt(i);
      sL += m[i]! * lab.L;
      sA += m[i]! * lab.a;
      sB += m[i]! * lab.b;
    }
    const meanL = sL / w;
    // Histograms.
    const histogram = new Float64Array(96);
    for (let i = 0; i < n; i++) {
      if (m[i]! <= 0) continue;
      const lab = labAt(i);
      histogram[Math.min(31, Math.max(0, Math.floor(lab.L * 0.32)))]! += m[i]! / w;
      histogram[32 + Math.min(31, Math.max(0, Math.floor((lab.a + 128) / 8)))]! += m[i]! / w;
      histogram[64 + Math.min(31, Math.max(0, Math.floor((lab.b + 128) / 8)))]! += m[i]! / w;
    }
    // Contrast.
    let varL = 0;
    for (let i = 0; i < n; i++) if (m[i]! > 0) varL += (m[i]! * (labAt(i).L - meanL) ** 2) / w;
    // Saturation.
    let saturation = 0;
    for (let i = 0; i < n; i++) {
      if (m[i]! > 0)
        saturation += (m[i]! * hsvSaturation(data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!)) / w;
    }
    // Sharpness.
    const lap = laplacian(lumaOf(), width, height);
    let lapMean = 0;
    for (let i = 0; i < n; i++) lapMean += (m[i]! * lap[i]!) / w;
    let lapVar = 0;
    for (let i = 0; i < n; i++) lapVar += (m[i]! * (lap[i]! - lapMean) ** 2) / w;
    // Edges and texture.
    const grad = sobelMagnitude(lumaOf(), width, height);
    let meanGradient = 0;
    let edgeDensity = 0;
    const gradientHistogram = new Float64Array(16);
    for (let i = 0; i < n; i++) {
      if (m[i]! <= 0) continue;
      meanGradient += (m[i]! * grad[i]!) / w;
      edgeDensity += (m[i]! * edgeStrength(grad[i]!)) / w;
      gradientHistogram[gradientBin(grad[i]!)]! += m[i]! / w;
    }
    // Palette from a subsample of the region's pixels.
    const samples: number[] = [];
    for (let i = 0; i < n; i += 37) {
      if (m[i]! <= 0) continue;
      const lab = labAt(i);
      samples.push(lab.L, lab.a, lab.b, m[i]!);
    }
    const palette = dominantPalette(Float32Array.from(samples), samples.length / 4);
    // Structure thumbnail (whole image scaled to 128) and its SSIM moments.
    const luma = lumaOf();
    const thumb = new Float32Array(128 * 128);
    const count = new Float32Array(128 * 128);
    for (let i = 0; i < n; i++) {
      const cell =
        Math.floor((Math.floor(i / width) * 128) / height) * 128 + Math.floor(((i % width) * 128) / width);
      thumb[cell]! += luma[i]!;
      count[cell]! += 1;
    }
    for (let c = 0; c < thumb.length; c++) thumb[c]! /= count[c]!;
    const moments = ssimMomentsSync(thumb, 128, 128);
    return {
      id,
      meanLab: { L: meanL, a: sA / w, b: sB / w },
      brightness: meanL / 100,
      contrast: Math.min(1, Math.sqrt(varL) / 50),
      saturation,
      warmth: warmthOf(sA / w, sB / w),
      sharpness: sharpnessOf(lapVar),
      meanGradient,
      edgeDensity,
      histogram,
      gradientHistogram,
      palette,
      moments,
    };
  });
}

/** The filters alone on libvips, as the cheapest libvips pipeline can run them: 8-bit luma in, concurrently. */
async function libvipsFiltersOnly(luma8: Uint8Array): Promise<void> {
  const input = () => sharp(luma8, { raw: { width: SIZE, height: SIZE, channels: 1 } });
  const float = (s: Sharp) => s.toColourspace('b-w').raw({ depth: 'float' }).toBuffer();
  await Promise.all([
    float(input().blur({ sigma: 1.5, precision: 'float', minAmplitude: 0.001 })),
    float(
      input().convolve({ width: 3, height: 3, kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0], scale: 1, offset: 0 }),
    ),
    float(
      input().convolve({ width: 3, height: 3, kernel: [-1, 0, 1, -2, 0, 2, -1, 0, 1], scale: 1, offset: 0 }),
    ),
    float(
      input().convolve({ width: 3, height: 3, kernel: [-1, -2, -1, 0, 0, 0, 1, 2, 1], scale: 1, offset: 0 }),
    ),
  ]);
}

async function measure(
  fn: () => Promise<unknown> | unknown,
  runs: number,
  warmups = 2,
): Promise<{ median: number; min: number }> {
  for (let i = 0; i < warmups; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]! };
}

const image = await photo('astronaut.png');
const referenceImage = await photo('coffee.png');
const regions = regionsFor(SIZE);
const luma8 = new Uint8Array(SIZE * SIZE);
for (let i = 0; i < luma8.length; i++) {
  luma8[i] = Math.round(rec709Luma(image.data[i * 4]!, image.data[i * 4 + 1]!, image.data[i * 4 + 2]!));
}
const reference = await analyzeImage(referenceImage, regions, jsKernel);

const analyse = (kernel: AnalysisKernel) => () => analyzeImage(image, regions, kernel);
const analyseAndCompare = (kernel: AnalysisKernel) => async () => {
  const current = await analyzeImage(image, regions, kernel);
  return [current.canvas, ...current.regions].map((stats, i) =>
    overallDelta(regionDeltas(stats, i === 0 ? reference.canvas : reference.regions[i - 1]!)),
  );
};

const RUNS = 15;
const sharpAnalysis = await measure(analyse(sharpKernel), RUNS);
const jsAnalysis = await measure(analyse(jsKernel), RUNS);
const sharpWithDeltas = await measure(analyseAndCompare(sharpKernel), RUNS);
const jsWithDeltas = await measure(analyseAndCompare(jsKernel), RUNS);
const libvipsOnly = await measure(() => libvipsFiltersOnly(luma8), RUNS);
let straightforwardResult: ReturnType<typeof straightforwardAnalysis> = [];
const straightforward = await measure(
  () => {
    straightforwardResult = straightforwardAnalysis(image, regions);
  },
  1,
  1,
);

// The baseline must compute the same statistics, or the comparison means nothing.
const ours = await analyzeImage(image, regions, jsKernel);
let worstDifference = 0;
for (const [i, stats] of [ours.canvas, ...ours.regions].entries()) {
  const other = straightforwardResult[i]!;
  for (const name of [
    'brightness',
    'contrast',
    'saturation',
    'warmth',
    'sharpness',
    'edgeDensity',
  ] as const) {
    worstDifference = Math.max(worstDifference, Math.abs(stats[name] - other[name]));
  }
}

const ms = (t: { median: number; min: number }) => `${t.median.toFixed(1)} ms (min ${t.min.toFixed(1)})`;
console.log(
  `1024x1024 astronaut.png, 8 regions + canvas; ${availableParallelism()} CPUs, libvips concurrency ${sharp.concurrency()}, ` +
    `${RUNS} runs (straightforward: 1 run after 1 warm-up)`,
);
console.table([
  { case: 'analysis, sharp kernel', time: ms(sharpAnalysis) },
  { case: 'analysis, js kernel', time: ms(jsAnalysis) },
  { case: 'analysis + 9 region deltas vs cached reference, sharp kernel', time: ms(sharpWithDeltas) },
  { case: 'analysis + 9 region deltas vs cached reference, js kernel', time: ms(jsWithDeltas) },
  { case: 'baseline: straightforward JS (pass per region per statistic)', time: ms(straightforward) },
  { case: 'baseline: libvips-only filters (blur + Laplacian + 2 Sobel, 8-bit in)', time: ms(libvipsOnly) },
]);
const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
console.table([
  {
    target: '<= 150 ms (analysis, sharp kernel)',
    measured: `${sharpAnalysis.median.toFixed(1)} ms`,
    result: check(sharpAnalysis.median <= 150),
  },
  {
    target: '<= 150 ms (analysis, js kernel)',
    measured: `${jsAnalysis.median.toFixed(1)} ms`,
    result: check(jsAnalysis.median <= 150),
  },
  {
    target: '>= 3x the straightforward JS implementation (sharp kernel)',
    measured: `${(straightforward.median / sharpAnalysis.median).toFixed(1)}x`,
    result: check(straightforward.median / sharpAnalysis.median >= 3),
  },
  {
    target: '>= 3x the straightforward JS implementation (js kernel)',
    measured: `${(straightforward.median / jsAnalysis.median).toFixed(1)}x`,
    result: check(straightforward.median / jsAnalysis.median >= 3),
  },
  {
    target: 'within 2x of libvips-only filters (sharp kernel)',
    measured: `${(sharpAnalysis.median / libvipsOnly.median).toFixed(2)}x`,
    result: check(sharpAnalysis.median <= 2 * libvipsOnly.median),
  },
  {
    target: 'within 2x of libvips-only filters (js kernel)',
    measured: `${(jsAnalysis.median / libvipsOnly.median).toFixed(2)}x`,
    result: check(jsAnalysis.median <= 2 * libvipsOnly.median),
  },
  {
    target: 'baseline computes the same statistics',
    measured: `max |difference| ${worstDifference.toExponential(1)}`,
    result: check(worstDifference < 1e-3),
  },
]);
