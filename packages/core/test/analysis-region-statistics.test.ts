import { describe, expect, it } from 'vitest';
import {
  type AnalysisRegion,
  analyzeImage,
  coverageBox,
  edgeStrength,
  ellipse,
  featherMask,
  gradientBin,
  HISTOGRAM_BINS,
  hsvSaturation,
  jsKernel,
  laplacian,
  lumaPlane,
  type RasterImage,
  type RegionStats,
  rasterizeMask,
  rec709Luma,
  rectangle,
  rgbToLab,
  sharpnessOf,
  sobelMagnitude,
  warmthOf,
} from '../src/index.ts';

type Rgb = [number, number, number];

function image(width: number, height: number, colour: (x: number, y: number) => Rgb): RasterImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([...colour(x, y), 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

function region(
  id: string,
  width: number,
  height: number,
  coverage: (x: number, y: number) => number,
): AnalysisRegion {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = coverage(x, y);
  return { id, mask: { width, height, data } };
}

/** A deterministic photo-like texture: smooth colour fields plus fine detail. */
const textured = (x: number, y: number): Rgb => [
  128 + 100 * Math.sin(x / 9) * Math.cos(y / 13) + ((x * 7 + y * 3) % 11),
  110 + 80 * Math.cos((x + y) / 17) + ((x * 5) % 7),
  90 + 70 * Math.sin(y / 7) + ((x * y) % 13),
];

/**
 * The obvious implementation, one full pass per statistic, on the exact colour formulas: what the batched pass
 * must reproduce for every region.
 */
function reference(img: RasterImage, mask: Float32Array) {
  const { width, height } = img;
  const luma = lumaPlane(img);
  const lap = laplacian(luma, width, height);
  const grad = sobelMagnitude(luma, width, height);
  const pixel = (i: number): Rgb => [img.data[i * 4]!, img.data[i * 4 + 1]!, img.data[i * 4 + 2]!];
  const weighted = (f: (i: number) => number) => {
    let s = 0;
    let w = 0;
    for (let i = 0; i < width * height; i++) {
      const m = Math.min(1, Math.max(0, mask[i]!));
      s += m * f(i);
      w += m;
    }
    return s / w;
  };
  const L = weighted((i) => rgbToLab(...pixel(i)).L);
  const a = weighted((i) => rgbToLab(...pixel(i)).a);
  const b = weighted((i) => rgbToLab(...pixel(i)).b);
  const varL = weighted((i) => (rgbToLab(...pixel(i)).L - L) ** 2);
  const lapMean = weighted((i) => lap[i]!);
  const histL = new Array<number>(HISTOGRAM_BINS).fill(0);
  let total = 0;
  for (let i = 0; i < width * height; i++) {
    const m = Math.min(1, Math.max(0, mask[i]!));
    histL[Math.min(HISTOGRAM_BINS - 1, Math.floor((rgbToLab(...pixel(i)).L * HISTOGRAM_BINS) / 100))]! += m;
    total += m;
  }
  const gradientHistogram = new Array<number>(16).fill(0);
  for (let i = 0; i < width * height; i++)
    gradientHistogram[gradientBin(grad[i]!)]! += Math.min(1, mask[i]!) / total;
  return {
    meanLab: { L, a, b },
    contrast: Math.min(1, Math.sqrt(varL) / 50),
    saturation: weighted((i) => hsvSaturation(...pixel(i))),
    laplacianVariance: weighted((i) => (lap[i]! - lapMean) ** 2),
    meanGradient: weighted((i) => grad[i]!),
    edgeDensity: weighted((i) => edgeStrength(grad[i]!)),
    histogramL: histL.map((v) => v / total),
    gradientHistogram,
  };
}

function expectMatchesReference(stats: RegionStats, expected: ReturnType<typeof reference>) {
  expect(stats.meanLab.L).toBeCloseTo(expected.meanLab.L, 4);
  expect(stats.meanLab.a).toBeCloseTo(expected.meanLab.a, 4);
  expect(stats.meanLab.b).toBeCloseTo(expected.meanLab.b, 4);
  expect(stats.contrast).toBeCloseTo(expected.contrast, 5);
  expect(stats.saturation).toBeCloseTo(expected.saturation, 6);
  expect(stats.laplacianVariance).toBeCloseTo(expected.laplacianVariance, 3);
  expect(stats.meanGradient).toBeCloseTo(expected.meanGradient, 4);
  expect(stats.edgeDensity).toBeCloseTo(expected.edgeDensity, 6);
  expect(stats.sharpness).toBeCloseTo(sharpnessOf(expected.laplacianVariance), 6);
  for (const [i, v] of stats.histogram.L.entries()) expect(v).toBeCloseTo(expected.histogramL[i]!, 6);
  for (const [i, v] of stats.gradientHistogram.entries())
    expect(v).toBeCloseTo(expected.gradientHistogram[i]!, 6);
}

describe('region statistics', () => {
  it('gives exact statistics of a uniform image', async () => {
    const colour: Rgb = [200, 120, 40];
    const { canvas } = await analyzeImage(
      image(40, 30, () => colour),
      [],
      jsKernel,
    );
    const lab = rgbToLab(...colour);
    expect(canvas.id).toBe('canvas');
    expect(canvas.box).toEqual({ x: 0, y: 0, width: 40, height: 30 });
    expect(canvas.area).toBe(1200);
    expect(canvas.meanLab.L).toBeCloseTo(lab.L, 4);
    expect(canvas.meanLab.a).toBeCloseTo(lab.a, 4);
    expect(canvas.meanLab.b).toBeCloseTo(lab.b, 4);
    expect(canvas.brightness).toBeCloseTo(lab.L / 100, 6);
    expect(canvas.contrast).toBeCloseTo(0, 6);
    expect(canvas.saturation).toBeCloseTo(0.8, 6);
    expect(canvas.warmth).toBeCloseTo(warmthOf(lab.a, lab.b), 6);
    expect(canvas.warmth).toBeGreaterThan(0.9);
    expect(canvas.sharpness).toBe(0);
    expect(canvas.edgeDensity).toBe(0);
    expect(canvas.histogram.L.filter((v) => v > 0)).toEqual([1]);
    expect(canvas.histogram.L[Math.floor(lab.L * 0.32)]).toBe(1);
    expect(canvas.histogram.a[Math.floor((lab.a + 128) / 8)]).toBe(1);
    expect(canvas.histogram.b[Math.floor((lab.b + 128) / 8)]).toBe(1);
    expect(canvas.gradientHistogram[0]).toBe(1);
    expect(canvas.composition).toEqual({ x: 0.5, y: 0.5, grid: new Array(9).fill(1 / 9) });
    expect(canvas.palette).toHaveLength(1);
    expect(canvas.palette[0]!.weight).toBe(1);
    expect(canvas.palette[0]!.rgb).toEqual(colour);
    expect(canvas.structure.width).toBe(40);
    expect(canvas.structure.luma[17]).toBeCloseTo(rec709Luma(...colour), 4);
    expect(canvas.structure.coverage.every((v) => v === 1)).toBe(true);
  });

  it('keeps neutral grey at warmth 0.5 and orders warm above cool', () => {
    expect(warmthOf(0, 0)).toBe(0.5);
    const orange = rgbToLab(230, 140, 40);
    const blue = rgbToLab(40, 90, 200);
    expect(warmthOf(orange.a, orange.b)).toBeGreaterThan(0.9);
    expect(warmthOf(blue.a, blue.b)).toBeLessThan(0.1);
  });

  it('measures a grey ramp exactly', async () => {
    const ramp = image(256, 4, (x) => [x, x, x]);
    const { canvas } = await analyzeImage(ramp, [], jsKernel);
    let sum = 0;
    let sumSq = 0;
    for (let v = 0; v < 256; v++) {
      const L = rgbToLab(v, v, v).L;
      sum += L;
      sumSq += L * L;
    }
    const mean = sum / 256;
    expect(canvas.meanLab.L).toBeCloseTo(mean, 4);
    expect(canvas.meanLab.a).toBeCloseTo(0, 3);
    expect(canvas.contrast).toBeCloseTo(Math.sqrt(sumSq / 256 - mean * mean) / 50, 5);
    expect(canvas.saturation).toBe(0);
    // Slope 1 per pixel: Sobel 8 inside, 4 on the two replicated columns.
    expect(canvas.meanGradient).toBeCloseTo((254 * 8 + 2 * 4) / 256, 5);
    expect(canvas.edgeDensity).toBe(0);
    expect(canvas.histogram.L.every((v) => v > 0)).toBe(true);
  });

  it('separates two regions of a two-colour image and mixes them on the canvas', async () => {
    const red: Rgb = [220, 30, 30];
    const blue: Rgb = [30, 60, 220];
    const img = image(64, 32, (x) => (x < 32 ? red : blue));
    const left = region('left', 64, 32, (x) => (x < 32 ? 1 : 0));
    const right = region('right', 64, 32, (x) => (x >= 32 ? 1 : 0));
    const analysis = await analyzeImage(img, [left, right], jsKernel);
    const [l, r] = analysis.regions;
    expect(l!.id).toBe('left');
    expect(l!.box).toEqual({ x: 0, y: 0, width: 32, height: 32 });
    expect(r!.box).toEqual({ x: 32, y: 0, width: 32, height: 32 });
    const redLab = rgbToLab(...red);
    const blueLab = rgbToLab(...blue);
    expect(l!.meanLab.L).toBeCloseTo(redLab.L, 4);
    expect(r!.meanLab.b).toBeCloseTo(blueLab.b, 4);
    expect(l!.palette.map((p) => p.rgb)).toEqual([red]);
    expect(analysis.canvas.meanLab.a).toBeCloseTo((redLab.a + blueLab.a) / 2, 4);
    expect(analysis.canvas.palette.map((p) => p.weight)).toEqual([0.5, 0.5]);
    expect(l!.warmth).toBeGreaterThan(0.5);
    expect(r!.warmth).toBeLessThan(0.5);
    // The full-resolution gradient sees the boundary from both sides; composition looks inside the box only.
    expect(l!.meanGradient).toBeGreaterThan(0);
    expect(l!.composition).toEqual({ x: 0.5, y: 0.5, grid: new Array(9).fill(1 / 9) });
  });

  it('places the composition where the structure is', async () => {
    const img = image(60, 60, (x, y) => (x >= 5 && x < 15 && y >= 5 && y < 15 ? [255, 255, 255] : [0, 0, 0]));
    const { canvas } = await analyzeImage(img, [], jsKernel);
    expect(canvas.composition.x).toBeCloseTo(10 / 60, 2);
    expect(canvas.composition.y).toBeCloseTo(10 / 60, 2);
    expect(canvas.composition.grid[0]).toBeGreaterThan(0.99);
  });

  it('weights pixels by fractional coverage', async () => {
    const img = image(20, 10, (x) => (x < 10 ? [0, 0, 0] : [255, 255, 255]));
    const mixed = region('mixed', 20, 10, (x) => (x < 10 ? 0.25 : 0.75));
    const [stats] = (await analyzeImage(img, [mixed], jsKernel)).regions;
    expect(stats!.area).toBeCloseTo(100, 6);
    expect(stats!.meanLab.L).toBeCloseTo(75, 4);
    expect(stats!.brightness).toBeCloseTo(0.75, 6);
    expect(stats!.contrast).toBeCloseTo(Math.sqrt(0.25 * 75 ** 2 + 0.75 * 25 ** 2) / 50, 5);
    expect(stats!.palette.map((p) => p.weight)).toEqual([0.75, 0.25]);
  });

  it('matches a one-pass-per-statistic reference on every region', async () => {
    const width = 96;
    const height = 80;
    const img = image(width, height, textured);
    const regions: AnalysisRegion[] = [
      { id: 'ellipse', mask: { width, height, data: rasterizeMask(ellipse(40, 35, 25, 18), width, height) } },
      {
        id: 'feathered',
        mask: {
          width,
          height,
          data: featherMask(rasterizeMask(rectangle(30, 20, 50, 40), width, height), width, height, 6),
        },
      },
      region('gradient', width, height, (x, y) => (x + y) / (width + height)),
    ];
    const analysis = await analyzeImage(img, regions, jsKernel);
    for (const [i, stats] of analysis.regions.entries()) {
      expectMatchesReference(stats, reference(img, regions[i]!.mask.data));
    }
    expectMatchesReference(analysis.canvas, reference(img, new Float32Array(width * height).fill(1)));
  });

  it('gives every region the same statistics whether analysed alone or batched with others', async () => {
    const width = 120;
    const height = 90;
    const img = image(width, height, textured);
    const regions: AnalysisRegion[] = [
      { id: 'a', mask: { width, height, data: rasterizeMask(ellipse(30, 30, 25, 20), width, height) } },
      { id: 'b', mask: { width, height, data: rasterizeMask(rectangle(20, 10, 80, 60), width, height) } },
      {
        id: 'c',
        mask: {
          width,
          height,
          data: featherMask(rasterizeMask(ellipse(90, 60, 20, 25), width, height), width, height, 5),
        },
      },
      region('d', width, height, (x) => (x > 100 ? 0.5 : 0)),
    ];
    const batched = await analyzeImage(img, regions, jsKernel);
    for (const [i, r] of regions.entries()) {
      const alone = await analyzeImage(img, [r], jsKernel);
      expect(batched.regions[i]).toEqual(alone.regions[0]);
    }
    expect(batched.canvas).toEqual((await analyzeImage(img, [], jsKernel)).canvas);
  });

  it('finds the box of a mask, within given bounds when the caller knows them', () => {
    const mask = region('x', 10, 8, (x, y) => (x >= 2 && x < 7 && y >= 3 && y < 5 ? 0.3 : 0)).mask;
    expect(coverageBox(mask)).toEqual({ x: 2, y: 3, width: 5, height: 2 });
    expect(coverageBox(mask, { x: 1.5, y: 0, width: 7, height: 8 })).toEqual({
      x: 2,
      y: 3,
      width: 5,
      height: 2,
    });
    expect(coverageBox(mask, { x: 4, y: 0, width: 20, height: 4 })).toEqual({
      x: 4,
      y: 3,
      width: 3,
      height: 1,
    });
    expect(coverageBox(mask, { x: 8, y: 0, width: 2, height: 8 })).toBeNull();
    expect(coverageBox(region('y', 10, 8, () => 0).mask)).toBeNull();
  });

  it('gives the same statistics with bounds hints and ignores coverage outside them', async () => {
    const width = 80;
    const height = 60;
    const img = image(width, height, textured);
    const points = ellipse(30, 25, 20, 15);
    const mask = { width, height, data: rasterizeMask(points, width, height) };
    const [plain] = (await analyzeImage(img, [{ id: 'e', mask }], jsKernel)).regions;
    const [hinted] = (
      await analyzeImage(img, [{ id: 'e', mask, bounds: { x: 9, y: 9, width: 42, height: 32 } }], jsKernel)
    ).regions;
    expect(hinted).toEqual(plain);
    const [clipped] = (
      await analyzeImage(img, [{ id: 'e', mask, bounds: { x: 0, y: 0, width: 30, height: 60 } }], jsKernel)
    ).regions;
    expect(clipped!.box.x + clipped!.box.width).toBe(30);
    await expect(
      analyzeImage(img, [{ id: 'e', mask, bounds: { x: 0, y: 0, width: Number.NaN, height: 1 } }], jsKernel),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('refuses bad regions and images', async () => {
    const img = image(16, 16, () => [1, 2, 3]);
    const full = region('r', 16, 16, () => 1);
    await expect(analyzeImage(img, [full, full], jsKernel)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(analyzeImage(img, [region('small', 8, 8, () => 1)], jsKernel)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(analyzeImage(img, [region('empty', 16, 16, () => 0)], jsKernel)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(
      analyzeImage(img, [region('nan', 16, 16, () => Number.NaN)], jsKernel),
    ).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(analyzeImage(img, [region('', 16, 16, () => 1)], jsKernel)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(
      analyzeImage({ width: 16, height: 16, data: new Uint8ClampedArray(10) }, [], jsKernel),
    ).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
  });
});
